"""Spatial core: H3 cells, aggregation of points and units, areal interpolation."""
