"""The language model seam (layer above core): `client.LLM` for every provider, the supervised
local llama.cpp server and its build flags, the prompt loader, and the deterministic fakes."""
