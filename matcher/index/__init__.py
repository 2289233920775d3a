"""Vector (FAISS) and lexical (BM25) indexes over passages, written as atomic generations."""
