"""Rule data for the code scanner (YAML); a package so the files ship in wheels with package-data."""
