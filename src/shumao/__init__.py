"""数贸 shumao — 数字贸易统计监测预警平台 (digital-trade statistics monitoring and early warning)."""

__version__ = "0.1.0"
