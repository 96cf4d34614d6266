"""Pure, stdlib-only building blocks shared by the engine and the Django apps."""
