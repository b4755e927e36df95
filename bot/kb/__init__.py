"""The knowledge base: its model, reading and validating the files, file formats, its store."""
