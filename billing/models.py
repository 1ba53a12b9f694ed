"""Public schema: tariffs, billing campaigns, titres de recette."""
