"""The peermatch command line: the top layer; nothing in the library imports it."""
