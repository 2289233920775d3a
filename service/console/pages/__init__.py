"""The console's pages, one module per task of the secretariat."""
