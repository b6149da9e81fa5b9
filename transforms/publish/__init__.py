"""Publishing releases: the release folder, its manifest, and the atomic `latest` switch."""
