"""Rule files (TOML) shipped as package data of rouei; see README 'Rules are data'."""
