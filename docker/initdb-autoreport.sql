-- Runs once, when the official image initialises a new data directory.
CREATE EXTENSION IF NOT EXISTS autoreport;
