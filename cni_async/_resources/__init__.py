"""One small module per API resource; everything shared lives in the pipeline."""
