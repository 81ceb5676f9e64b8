"""Files and git objects → raw mappings with source locations (the strict YAML loader)."""
