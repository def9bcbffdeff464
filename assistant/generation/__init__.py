"""Generative answers: chat-model backends, the offline model file, sentence checks, streaming.

* ``model_file``  the offline GGUF model, assembled once from its PyPI part packages
* ``backends``    ``Settings.llm`` -> a LangChain chat model (OpenAI-compatible endpoint
                  or an in-process GGUF through ``llamacpp``)
* ``llamacpp``    a thin LangChain ``BaseChatModel`` over llama-cpp-python
* ``plan``        the question plan (scope, intent) as prompt text
* ``verify``      each generated sentence against the passages it cites
* ``stream``      tokens to whoever listens (terminal, chat window), with a time limit

Everything here is optional at install time (``pip install -e '.[llm]'``): nothing is
imported unless ``Settings.llm`` is set, and the extractive answer stays the fallback.
"""
