"""target-eloqua: Singer target loading streams into Oracle Eloqua through Bulk imports."""
