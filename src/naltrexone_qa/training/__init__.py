"""Training of shipped model parts (the learned detector head); reproduces what ships, writes where told."""
