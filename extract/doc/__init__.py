"""The analysed text: normalisation and offset maps, the notice's layout, items, parses as data."""
