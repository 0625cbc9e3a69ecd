"""Township Desk (乡镇留守老人关爱服务台账): the ledger of rural left-behind elderly people."""

__version__ = "0.1.0"
APP_NAME = "乡镇留守老人关爱服务台账"
APP_ID = "TownshipDesk"
