"""The Teams edge on botbuilder (archived by Microsoft): the only package importing it."""
