"""One settings object. Every option has a type, a default and help text (see tests/test_config.py).

Values come from environment variables prefixed ``SHUMAO_`` (e.g. ``SHUMAO_DATABASE_URL``) or a
``.env`` file in the working directory; nothing else in the code reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shumao.errors import ConfigError

DEV_SECRET = "dev-only-not-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHUMAO_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development",
        description="运行环境 / deployment environment; production refuses placeholder secrets",
    )
    data_dir: Path = Field(
        Path("shumao-data"),
        description="数据目录 / directory for the SQLite file, uploads and backups",
    )
    database_url: str = Field(
        "",
        description="数据库地址 / SQLAlchemy URL; empty means the SQLite file <data_dir>/shumao.db",
    )
    secret_key: str = Field(DEV_SECRET, description="会话签名密钥 / key that signs session cookies")
    import_max_bytes: int = Field(
        200 * 1024 * 1024,
        description="单个导入文件上限（字节）/ largest accepted import file in bytes",
    )
    batch_rows: int = Field(
        50_000, description="批量写入行数 / rows per database write batch during imports"
    )
    db_max_connections: int = Field(
        40,
        description="每个进程的数据库连接上限 / most database connections one process opens (the "
        "web serves up to 40 requests at once per worker; more wait, none fail)",
    )
    db_lock_timeout_seconds: float = Field(
        30.0,
        description="等待数据库写锁的最长秒数 / seconds a change waits for the database's write "
        "lock (SQLite busy timeout, PostgreSQL lock_timeout) before the web answers 503",
    )
    web_threads: int = Field(
        400,
        description="每个网页进程的工作线程数 / worker threads per web process for the routes that "
        "parse or use the database; more than the requests one process holds at once, so that a "
        "change holding the write lock always finds a thread to finish in (with 40, the anyio "
        "default, waiting uploads took them all and writers stalled until their 30 s timeout)",
    )
    upload_parallel: int = Field(
        2,
        description="每个网页进程同时解析校验的上传数 / uploads one web process parses and checks at "
        "once; the others wait their turn (parsing is CPU work: more at once only slows every "
        "other request of the process)",
    )
    read_parallel: int = Field(
        2,
        description="每个网页进程同时计算的数据查询答案数 / explorer answers (`/api/explore`) one web "
        "process computes at once; the others wait their turn in order. An answer is Python work "
        "under the process's one GIL: more at once only contend for it (50 clients on 2 workers, "
        "PostgreSQL: 2 at once served 441–474 answers/s at p95 158–160 ms, unlimited 280–364/s "
        "at p95 321–432 ms; benchmarks/README.md)",
    )
    upload_max_bytes: int = Field(
        20 * 1024 * 1024,
        description="单个填报上传文件上限（字节）/ largest accepted filing upload (web and CLI) in bytes",
    )
    upload_max_rows: int = Field(
        50_000,
        description="单个上传文件的行数上限（任一工作表或 CSV）/ most rows in one upload "
        "(any worksheet, or CSV lines); counted while streaming, before anything is stored",
    )
    upload_max_cells: int = Field(
        500_000, description="单个上传文件的单元格上限 / most cells in one upload (all worksheets)"
    )
    upload_max_sheets: int = Field(
        20, description="单个上传工作簿的工作表上限 / most worksheets in one uploaded workbook"
    )
    upload_max_unpacked_bytes: int = Field(
        100 * 1024 * 1024,
        description="上传工作簿解压后的字节上限 / most bytes an uploaded workbook may inflate to",
    )
    session_hours: float = Field(
        12.0, description="登录会话有效时长（小时）/ session lifetime in hours"
    )
    login_max_failures: int = Field(
        5,
        description="登录失败锁定阈值 / failed log-ins allowed per user and address in the window",
    )
    login_window_minutes: int = Field(
        15, description="登录失败计数窗口（分钟）/ minutes over which failed log-ins are counted"
    )
    disclosure_rules: str = Field(
        "standard",
        description="披露控制规则集 / the disclosure-control rule set releases apply (a set of "
        "shumao/release/disclosure/rules.yaml: primary rules, protection, secondary method, cost "
        "and time limit); recorded with each release",
    )
    view_state_ttl_seconds: float = Field(
        1.0,
        description="网页缓存的数据状态有效秒数 / seconds the web trusts its cached store state "
        "(newest vintage, releases) before reading it again",
    )
    monitor_on_change: bool = Field(
        True,
        description="导入、审核通过、发布后自动运行预警规则 / evaluate the warning rules after "
        "every import, approval and release (after the commit)",
    )
    smtp_host: str = Field(
        "",
        description="预警邮件 SMTP 服务器；为空则不发邮件 / SMTP host for alert "
        "mail; empty sends no mail",
    )
    smtp_port: int = Field(25, description="SMTP 端口 / SMTP port")
    smtp_tls: Literal["none", "starttls", "ssl"] = Field(
        "none", description="SMTP 加密方式 / SMTP encryption: none, starttls or ssl"
    )
    smtp_user: str = Field("", description="SMTP 用户名（可空）/ SMTP user name (optional)")
    smtp_password: str = Field("", description="SMTP 密码（可空）/ SMTP password (optional)")
    mail_from: str = Field("shumao@localhost", description="预警邮件发件人 / sender of alert mail")
    alert_webhook_url: str = Field(
        "",
        description="预警 JSON Webhook 地址；为空则不推送 / URL that receives each new alert "
        "as JSON (empty: none)",
    )
    alert_webhook_timeout: float = Field(
        5.0, description="Webhook 超时秒数 / webhook timeout in seconds"
    )

    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="平台对外网址 / the platform's address, used for the links of figures in "
        "reports (the explorer's permanent links)",
    )

    report_dir: Path | None = Field(
        None,
        description="年度报告的手写段落目录（其下 <年份>/passages/）/ folder holding "
        "<year>/passages/ of the annual report; empty: <data_dir>/report",
    )
    open_data_dir: Path | None = Field(
        None,
        description="开放数据快照目录（每次发布的 Parquet、SDMX-CSV 与清单）/ folder of the "
        "open-data snapshots (Parquet, SDMX-CSV and manifest of every release); empty: "
        "<data_dir>/open-data",
    )
    release_worker: Literal["inprocess", "off"] = Field(
        "inprocess",
        description="定时发布：inprocess 在网页进程内轮询发布日程；off 由独立进程 "
        "`shumao release worker` 负责 / scheduled releases: inprocess polls the calendar inside "
        "the web process; off leaves it to a separate `shumao release worker`",
    )
    release_worker_seconds: float = Field(
        2.0,
        gt=0,
        le=60,
        description="发布进程轮询间隔（秒）；到点后至多晚这么久发布，绝不提前 / how often the "
        "release worker looks at the calendar (seconds): a release is at most this late, never early",
    )

    @property
    def effective_open_data_dir(self) -> Path:
        return self.open_data_dir or self.data_dir / "open-data"

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ConfigError(
                "生产环境必须设置 SHUMAO_SECRET_KEY / set SHUMAO_SECRET_KEY in production"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'shumao.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
