"""Writers: decision data in, text out. Nothing here decides anything."""
