"""tap-eloqua: Singer tap for the Oracle Eloqua Bulk API 2.0."""
