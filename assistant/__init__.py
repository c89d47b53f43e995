"""Keel: an offline-first assistant that turns a company's strategy into goals.

Public API (the CLI and UI are thin edges over these):

    from assistant import Settings, KnowledgeBase, LLM, answer_question
    settings = Settings(workspace="sample")
    with KnowledgeBase(settings) as kb:
        kb.index([Path("knowledge")])
        print(answer_question("What will we not do?", kb, LLM(settings)).answer)
"""

from assistant.core.config import Settings
from assistant.core.errors import KeelError
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.qa import answer_question, stream_answer
from assistant.llm.client import LLM

__all__ = ["LLM", "KeelError", "KnowledgeBase", "Settings", "answer_question", "stream_answer"]
__version__ = "0.1.0"
