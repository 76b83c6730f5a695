"""Models reused across lessons. Each class enters in the lesson that teaches it and says
so in its docstring; later lessons import it from here."""
