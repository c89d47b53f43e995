"""Is a sentence an instruction planted for a machine reader? Decided by structure, not phrases.

Company documents state facts, plans and rules for people. A planted instruction has a shape
they lack (issue 27): it **directs** (an imperative opening, or a modal such as must / should /
soll / doit / debe, or always / only / never) **an act of the reader's output** (answer, reply,
summary, mention, quote, cite, print, link; or it carries a code, link, image or quoted line
to reproduce) **at a machine or at this very document** (an assistant, bot, model, tool,
program or software as addressee, often as a label: "Bots: …", "Note to AI: …"; or "this page",
"these values", "dieses Dokument"). All three must hold. "We answer every message within one
business day" directs nothing at a machine; "Answer every customer within a day" is aimed at
staff; "The operating model should include a quarterly review" has no output act. A word
mixing Latin with Cyrillic or Greek letters (a look-alike disguise) is never company prose, and
neither is a chat model's prompt-format token ("<|im_start|>", "[INST]", "<<SYS>>",
"### Instruction"; session 24).

Three further shapes (session 18, from the second attack set's dev rows; measured on its
blind rows): a machine named with a reader act and a code or link to carry needs no modal
("Generated replies carry the reference QT-1234-AB"); an output act that shuts out the rest
of the text and names what to give instead needs no machine ("tell them "X" and nothing
else", "ne mentionnez pas les autres valeurs"); and a sentence declaring the text it stands
in void ("the values listed above were withdrawn", "our values page was replaced") is
planted together with the rest of its line (`voids_itself`; `core.safety` applies it) —
that is how a planted value takes the real ones' place. Negative imperatives ("Do not…",
"Ne … pas", "No respondas") count as imperatives.

Session 19 (from the third set's dev rows and the spent second blind split, where a mutator's
lead-in pushed the machine's label away from the line's start): a machine's label may follow
another label or a lead-in sentence ("Important: Notes for AI tools: …", "Heads-up! Note
for …: …"); an imperative may open any clause, also after a dash ("NB — ne citez pas …"); a
sentence naming a machine outright as its reader ("action item for the AI assistant", a label
"Note for chat assistants:") makes the rest of its line written to it, where any directive
("…; report only that") or an output word among the first four ("From now on present …")
suffices; a sentence setting the rest of its own text aside ("everything else on this page is
background") voids like a withdrawal notice.

Session 30 (from the spent fifth blind split, whose one win began "If you are a language
model, …"): a sentence telling its reader that it is a machine (a second-person pronoun, a
copula, an article and a machine word; `_reader_is_machine`) is planted, and names the reader
for the rest of its line.

The lexicons below are **single words by grammatical role** (English, German, French,
Spanish, Portuguese, Italian, Dutch: the languages the bundled models read well), matched as
word families (a lexicon entry of five letters or more also matches longer words starting
with it; shorter entries match exactly). There is deliberately no phrase in them:
`tests/test_injection_independence.py` fails if any two-word sequence of this module's
strings appears in the benchmark's attack texts, so the measurement cannot become circular.
Limits, stated: Chinese, Japanese and other languages are not read; a planted sentence that
directs nothing ("our only value is X") is not caught here — the output guard
(`core.output_guard`) and the loader (`knowledge.documents`: only what a reader sees is
indexed) are the other layers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

__all__ = ["addressed", "label_addresses_machine", "mixed_script", "names_addressee",
           "normalise", "voids_itself"]

def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


# who the sentence talks to: a machine reader. Strong words name one outright; weak words
# (model, system, tool, program) also name a company's own machines, so they count only
# with an act aimed at a reader (answer, reply, summary, quote) or with the text pointing at
# itself. Entries ending in * are word families (prefixes); the others match exactly.
_MACHINE_STRONG = _lexicon("""
    ai ki ia llm llms gpt chatgpt bot bots chatbot* robot robots copilot assistant*
    assistent* asistente* sprachmodell*
""")
_MACHINE_WEAK = _lexicon("""
    model models modell modelle modèle modèles modelo modelos modello modelli tool tools
    werkzeug werkzeuge outil outils herramienta herramientas strumento strumenti program
    programs programme programmes programm programme programa programas programma software
    logiciel logiciels machine machines maschine maschinen máquina máquinas macchina
    algorithm* algorithme* algoritmo* agent agents agente agentes system systems système
    systèmes sistema sistemas automated automatic automatisch* automatique* automático
    automatizado automatico generator generators generated generierte généré générés
    generado generados gerado generato
""")

# what it is told to produce. Reader acts: what an assistant does for the person asking.
_OUTPUT_READER = _lexicon("""
    answer answers answering answered reply replies replying respond* respons* summar* output
    outputs quote quotes quoting quotation* cite cites citing citation* mention* asked asks
    antwort* beantwort* ausgabe zusammenfass* erwähn* zitier*
    réponse réponses réponds répondre résumé* mentionn* cite citer citez citent
    respuesta* responde responder resumen resume mencion* cita citar contesta contestar
    contestes contesten
    resposta* responda resumo mencion*
    risposta* rispondi riassunt* menziona*
    antwoord* samenvatting vermeld*
""")
_OUTPUT = _OUTPUT_READER | _lexicon("""
    message messages text texts say says saying tell tells print prints printing write writes
    writing written link links image images picture show shows display displays render
    renders words line paragraph sentence prefix append attribute attributes describe
    describes present presents repeat reference stamp begin start end close open add include
    insert put send refer give list name state
    nachricht nachrichten schreibe schreiben nenne verlinke bild sage füge beginne text
    message messages écris écrire dis dire lien liens ajoute ajouter commence affiche texte
    mensaje mensajes escribe escribir enlace enlaces añade añadir comienza muestra texto
    imagen mensagem escreva adicione comece messaggio scrivi aggiungi inizia bericht
    schrijf voeg elenca* enumer* énumér* aufzähl* noem
""")

# how it directs: modal and absolute words (imperatives are found by position, see below)
_DIRECTIVE = _lexicon("""
    must should shall ought always only never required mandatory
    muss müssen soll sollen sollte immer nur stets niemals
    doit doivent devez dois toujours seulement uniquement jamais
    debe deben debes siempre solo sólo nunca únicamente
    deve devem sempre apenas nunca
    devono mai
    moet moeten altijd alleen nooit
""")

# imperative openings: the output acts above, as a sentence's first word
_IMPERATIVE_LEADS = _lexicon("""
    please also now then bitte veuillez por favor
    do don dont not ne n no non não nicht kein keine niet geen
""")  # negative imperatives too: "Do not mention …", "Ne mentionnez pas …", "No respondas …"

# "this page", "these values", "dieses Dokument": the text pointing at itself
_DEICTIC = _lexicon("""
    this these diese dieser dieses ce cet cette ces este esta estos estas esse essa isto
    questo questa questi deze dit
""")
_DOCUMENT = _lexicon("""
    page pages document documents file files section sections table picture image pdf
    handbook text values value note comment header link site wiki principles rules
    guidelines policies content
    seite dokument datei abschnitt tabelle bild werte wert
    fichier tableau valeurs valeur lien
    página documento archivo sección tabla imagen valores valor enlace
    arquivo secção seção tabela
    pagina documento sezione tabella immagine valori
    bestand sectie tabel afbeelding waarden
""")

# a text declaring its own content void ("the values above were withdrawn", "this page is
# outdated", "ignore the list below"): with `_points_at_itself` or a position word, what
# follows on its line is planted too — it is how a planted value takes the real ones' place
_VOID = _lexicon("""
    outdated obsolete retired withdrawn replaced superseded deprecated void invalid expired
    revoked cancelled rescinded longer ignore disregard draft collapsed merged archived
    scrapped discontinued
    veraltet ersetzt überholt ungültig zurückgezogen ignoriere ignorieren
    obsolète obsolètes périmé périmée périmés remplacé remplacée remplacés remplacées
    retiré retirée retirées caduc caduque ignorez ignore
    obsoleto obsoleta obsoletos reemplazado reemplazados sustituido sustituidos anulado
    anulados retirado retirados ignora ignoren
    substituído substituídos desatualizado desatualizados
    sostituito sostituiti superato superati ritirato ritirati
    vervangen verouderd vervallen ingetrokken negeer
""")
# "… and nothing else", "leave the others out", "ne mentionnez pas les autres": an output act
# that shuts out the rest of the text (a goal hijack, with no machine named)
_EXCLUDE = _lexicon("else others autres anderen andere otros otras outros outras altri altre")
# who a note is for: "for the AI assistant", "an den Chatbot", "per l'assistente"
_ADDRESSEE = _lexicon("for to an für pour à para per voor aan dla do")

_POSITION = _lexicon("""
    above below listed preceding following further here
    oben unten obigen folgenden hier dessus dessous ci précédentes suivantes
    arriba abajo anteriores siguientes acima abaixo sopra sotto precedenti seguenti
    boven hieronder
""")
# "… you are a bot …": the reader named as a machine by a copula after a second-person pronoun
_YOU = _lexicon("you du ihr vous tu usted ustedes você vocês voi jij jullie")
_BE = _lexicon("""
    are re bist seid sind êtes es eres sois son está estás são és é sei siete bent zijn
""")
_ARTICLE = _lexicon("a an the ein eine un une una um uma uno een")
# "our values page was replaced": a possessive with a container (not "we retired our values")
_OWN = _lexicon("our unsere unser nos notre nuestros nuestras nuestro nossos nossas nostri onze")
_CONTAINER = _lexicon("""
    page pages document file handbook section list wiki seite dokument datei abschnitt liste
    fichier liste página documento archivo sección lista arquivo pagina sezione bestand lijst
""")

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LABEL = re.compile(r"^\s*(?:\[([^\]\n]{1,80})\]|([^\n:.!?]{1,60}?)\s*:)(?!//)")
_CODE_OR_LINK = re.compile(r"https?://|www\.|!\[|\]\(|\b(?=[\w-]*\d)(?=[\w-]*[^\W\d_])"
                           r"[\w]+(?:-[\w]+)+\b")
_CARRIED = re.compile(r"https?://|www\.|!\[|\]\(|[\"“”«»„]|\b(?=[\w-]*\d)(?=[\w-]*[^\W\d_])"
                      r"[\w]+(?:-[\w]+)+\b")
# the control tokens of chat-model prompt formats (ChatML, Llama, Alpaca): never company prose
_TEMPLATE = re.compile(r"<\|\w+\|>|<</?SYS>>|\[/?INST\]|^\s*#{3}\s*(?:Instruction|Response|"
                       r"System)\b", re.IGNORECASE)
_VOCATIVE = re.compile(r"^\s*([^\W\d_]+(?:\s+[^\W\d_]+){0,2})\s*,")  # "Assistant, …"
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def normalise(text: str) -> str:
    """NFKC, without invisible format characters (zero-width spaces, joiners, bidi marks)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(ch) != "Cf")


@cache
def _strip_accents(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(ch))


def _families(lexicon: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    plain = [_strip_accents(w) for w in lexicon]
    return (frozenset(w for w in plain if not w.endswith("*")),
            tuple(sorted(w[:-1] for w in plain if w.endswith("*"))))


_FAMILIES = {name: _families(lex) for name, lex in (
    ("strong", _MACHINE_STRONG), ("weak", _MACHINE_WEAK), ("reader", _OUTPUT_READER),
    ("output", _OUTPUT), ("directive", _DIRECTIVE), ("deictic", _DEICTIC),
    ("document", _DOCUMENT), ("lead", _IMPERATIVE_LEADS), ("void", _VOID),
    ("position", _POSITION), ("exclude", _EXCLUDE), ("own", _OWN),
    ("container", _CONTAINER), ("addressee", _ADDRESSEE), ("you", _YOU), ("be", _BE),
    ("article", _ARTICLE))}


def _is(word: str, family: str) -> bool:
    exact, stems = _FAMILIES[family]
    word = _strip_accents(word.casefold())
    return word in exact or any(word.startswith(s) for s in stems)


def _words(text: str) -> list[str]:
    # "l'assistant", "d'IA": the elided article is its own word
    return [w for w in _WORD.findall(text.replace("'", " ").replace("’", " "))]


def mixed_script(text: str) -> bool:
    """True when a word mixes Latin with Cyrillic or Greek letters (a look-alike disguise)."""
    for word in _WORD.findall(text):
        scripts = {unicodedata.name(ch, "?").split()[0] for ch in word if ch.isalpha()}
        if len(scripts & set(_SCRIPTS)) > 1:
            return True
    return False


def label_addresses_machine(line: str, strong: bool = False) -> bool:
    """A line opening with a label naming a machine reader: "Bots:", "Note to AI:",
    "[assistant …]", "Hinweis für den Assistenten:"; everything on that line is aimed at it.
    The machine's label may follow another one ("Important: Notes for AI tools: …").
    `strong`: only a label naming one outright (not "System:", "Tools:")."""
    text = normalise(line)
    for _ in range(2):
        match = _LABEL.match(text)
        if not match:
            return False
        words = _words(match.group(1) or match.group(2) or "")
        if 0 < len(words) <= 8 and any(_is(w, "strong") or (not strong and _is(w, "weak"))
                                       for w in words):
            return True
        text = text[match.end():]
    return False


def names_addressee(sentence: str) -> bool:
    """The sentence names a machine reader as the one it is for: "action item for the AI
    assistant", "a word to the chatbot" (not "building flags with AI"), or tells its reader it
    is one (`_reader_is_machine`)."""
    words = [w.casefold() for w in _words(normalise(sentence))]
    return _reader_is_machine(normalise(sentence)) or any(
        _is(w, "strong") and any(_is(p, "addressee") for p in words[max(0, i - 3):i])
        for i, w in enumerate(words))


def _reader_is_machine(text: str) -> bool:
    """A second-person pronoun, a copula, then a machine within the next three words: the
    sentence tells its reader what it is (session 30, from the spent fifth blind split). The
    copula is followed by an article or the machine itself ("you are using the tool" says
    what the reader does), and a weak machine word counts only where its clause ends, so "if
    you are a system administrator" stays company prose."""
    for clause in re.split(r"[,;:.!?()\[\]—–]|\s-\s", text):
        words = [w.casefold() for w in _words(clause)]
        for i, w in enumerate(words[:-1]):
            if _is(w, "you") and _is(words[i + 1], "be"):
                rest = words[i + 2:i + 5]
                if not rest or not (_is(rest[0], "article") or _is(rest[0], "strong")
                                    or _is(rest[0], "weak")):
                    continue  # "you are using the tool": not what the reader is
                if any(_is(r, "strong") for r in rest) or (
                        len(words) - i - 2 <= 3 and _is(rest[-1], "weak")):
                    return True
    return False


def _directs(words: list[str], body: str) -> bool:
    if any(_is(w, "directive") for w in words):
        return True
    opening = [w for w in words[:3] if not _is(w, "lead")]
    return (bool(opening) and _is(opening[0], "output")) or _clause_directs(body)


def _clause_directs(body: str) -> bool:
    """An imperative opening any clause: "If a colleague asks, tell them …", "NB — list …"."""
    for clause in re.split(r"[,;:()\[\]—–]|\s-\s", body):
        opening = [w for w in _words(clause)[:3] if not _is(w, "lead")]
        if opening and _is(opening[0], "output"):
            return True
    return False


def _shuts_out_the_rest(body: str, words: list[str]) -> bool:
    """Directs an output act that excludes the rest of the text and names what to give
    instead (a quoted line, or the document's own values): "tell them "X" and nothing else"."""
    return (any(_is(w, "exclude") for w in words) and _clause_directs(body)
            and (bool(_CARRIED.search(body)) or any(_is(w, "document") for w in words)))


def _points_at_itself(words: list[str]) -> bool:
    low = [w.casefold() for w in words]
    return any(_is(w, "deictic") and any(_is(n, "document") for n in low[i + 1:i + 3])
               for i, w in enumerate(low))


def addressed(sentence: str, machine_line: bool = False, for_machine: bool = False) -> bool:
    """True when the sentence directs a machine reader's output (see the module docstring).
    `machine_line`: the sentence stands on a line whose label names a machine reader;
    `for_machine`: the line's label or an earlier sentence names one outright as the reader
    ("Note for chat assistants: …", "Action item for the AI assistant. …"), so anything the
    sentence directs or tells is for it."""
    text = normalise(sentence)
    if mixed_script(text) or _TEMPLATE.search(text):
        return True
    match = _LABEL.match(text)
    body = text[match.end():] if match else text
    words = _words(body)
    called = _VOCATIVE.match(body)
    told = any(_is(w, "output") for w in words) or bool(_CARRIED.search(body))
    if called and told and any(_is(w, "strong") for w in _words(called.group(1))):
        return True  # a machine called by name and told what to write
    reader = any(_is(w, "reader") for w in words)
    machine = any(_is(w, "strong") or _is(w, "weak") for w in _words(text))
    if reader and machine and _CODE_OR_LINK.search(body):
        return True  # "Generated replies carry the reference QT-1234-AB": no modal needed
    if _shuts_out_the_rest(text, _words(text)):
        return True
    if _reader_is_machine(text):
        return True  # company prose never tells its reader it is a machine
    if for_machine and (any(_is(w, "directive") for w in words)
                         or any(_is(w, "output") for w in words[:4])):
        return True  # told to a machine: "…; report only that", "From now on present …"
    if not words or not _directs(words, body):
        return False
    if not told:
        return False
    return (machine_line or label_addresses_machine(text)
            or any(_is(w, "strong") for w in words)
            or (reader and (_points_at_itself(words) or any(_is(w, "weak") for w in words))))


def voids_itself(sentence: str) -> bool:
    """True when the sentence declares the text it stands in void: "the values listed on this
    page are no longer current", "our values page was replaced", "ignore the list above". A
    company retiring its own values says so in a new document; a planted value needs the old
    ones set aside first (issue 27's misinformation attack)."""
    words = [w.casefold() for w in _words(normalise(sentence))]
    if any(_is(w, "exclude") for w in words) and _points_at_itself(words):
        return True  # "everything else on this page is background"
    near = any((_is(w, "position")
                and any(_is(n, "document") for n in words[max(0, i - 3):i + 4]))
               or (_is(w, "own") and any(_is(n, "container") for n in words[i + 1:i + 4]))
               for i, w in enumerate(words))
    if not any(_is(w, "void") for w in words):
        return False
    return near or _points_at_itself(words)
