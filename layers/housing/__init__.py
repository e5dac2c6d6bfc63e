"""Housing supply: stock per area, subsidised-housing share and rent layers, evenness of affordable housing (internal)."""

from .layers import LAYERS
from .stock import evenness, has_stock, stock_date, stock_on

__all__ = ["LAYERS", "evenness", "has_stock", "stock_date", "stock_on"]
