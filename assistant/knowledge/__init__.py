"""Documents and the knowledge base (above llm): parsing, embeddings, the Chroma store, indexing
with its crash journal and integrity check, grounding helpers and grounded Q&A."""
