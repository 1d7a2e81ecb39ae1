"""`payex-billing-invoice`: look up invoices and their line-level charges from a terminal."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from types import FrameType
from typing import Any, Final, NoReturn, TextIO, TypeVar

import click
from click.core import ParameterSource
from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from payex_billing_invoice import (
    ENV_BASE_URL,
    ENV_CA_BUNDLE,
    ENV_CLIENT_CERT,
    ENV_CLIENT_KEY,
    ENV_OWNER_NO,
    ENV_TOKEN,
    PROBLEM_TYPES,
    PRODUCTION_URL,
    SANDBOX_URL,
    ApiConnectionError,
    ApiStatusError,
    AsyncBillingInvoiceClient,
    AuthenticationError,
    BadRequestError,
    BillingInvoiceClient,
    BillingInvoiceError,
    ClientConfigurationError,
    InvalidRouteError,
    InvoiceLines,
    NotFoundError,
    PermissionDeniedError,
    ProgressCallback,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    UnprocessableEntityError,
    build_path,
    listed,
    parse_link,
)
from payex_billing_invoice._cli_mock import (
    MockUnavailableError,
    find_mock_files,
    prism_available,
    running_prism,
    serving_fake,
)
from payex_billing_invoice._cli_output import (
    error_details,
    error_report,
    invoice_lines_data,
    invoice_lines_view,
    list_view,
    record_view,
    to_json,
)
from payex_billing_invoice._fake import FAKE_TOKEN, FakePayEx

__all__ = ["EXIT_CODES", "ExitCode", "cli", "exit_code_for", "main"]

PROG_NAME: Final = "payex-billing-invoice"
MOCK_OWNER_NO: Final = "xxx"
MOCK_PORT: Final = 4010
LOGGER: Final = "payex_billing_invoice"
CLI_LOGGER: Final = f"{LOGGER}.cli"

F = TypeVar("F", bound=Callable[..., Any])


class ExitCode(enum.IntEnum):
    """The exit status of the command line, by kind of outcome."""

    OK = 0
    API_ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    REJECTED = 4
    ACCESS = 5
    UNAVAILABLE = 6
    BAD_RESPONSE = 7
    MOCK_FAILED = 8


@dataclass(frozen=True, slots=True)
class ExitCodeRow:
    """One documented exit status: what it means and the errors that end in it."""

    code: ExitCode
    meaning: str
    errors: tuple[type[Exception], ...]


EXIT_CODES: Final[tuple[ExitCodeRow, ...]] = (
    ExitCodeRow(ExitCode.OK, "success", ()),
    ExitCodeRow(ExitCode.API_ERROR, "another error status from PayEx (e.g. 409)", (ApiStatusError,)),
    ExitCodeRow(
        ExitCode.USAGE,
        "bad usage: an invalid option, id or link, or missing or invalid settings",
        (click.UsageError, InvalidRouteError, ClientConfigurationError),
    ),
    ExitCodeRow(ExitCode.NOT_FOUND, "not found: customer, invoice or subscription", (NotFoundError,)),
    ExitCodeRow(
        ExitCode.REJECTED, "the request was rejected as invalid (400, 422)", (BadRequestError, UnprocessableEntityError)
    ),
    ExitCodeRow(
        ExitCode.ACCESS, "authentication or permission (401, 403)", (AuthenticationError, PermissionDeniedError)
    ),
    ExitCodeRow(
        ExitCode.UNAVAILABLE,
        "PayEx unavailable: server error (5xx), rate limit (429), network or timeout",
        (ServerError, RateLimitError, ApiConnectionError),
    ),
    ExitCodeRow(ExitCode.BAD_RESPONSE, "the response does not fit the API document", (ResponseValidationError,)),
    ExitCodeRow(ExitCode.MOCK_FAILED, "the local mock could not be started", (MockUnavailableError,)),
)
"""Every exit status, its meaning and the exception classes that end in it (most specific rows win)."""


def exit_code_for(error: type[Exception]) -> ExitCodeRow:
    """The documented exit status for an error class; `ApiStatusError` only when no narrower row matches."""
    rows = sorted(EXIT_CODES, key=lambda row: row.code == ExitCode.API_ERROR)
    for row in rows:
        if issubclass(error, row.errors):
            return row
    return EXIT_CODES[ExitCode.API_ERROR]


def _epilog() -> str:
    rows = []
    for row in EXIT_CODES:
        rows.append(f"  {row.code.value}  {row.meaning}")
        if row.errors:
            rows.append(f"     {', '.join(cls.__name__ for cls in row.errors)}")
    return (
        "\b\nExit codes:\n" + "\n".join(rows) + "\n\n"
        f"Settings not given fall back to {ENV_OWNER_NO}, {ENV_TOKEN}, {ENV_BASE_URL}, {ENV_CLIENT_CERT} "
        f"{ENV_CLIENT_KEY} and {ENV_CA_BUNDLE}. The options above work after the command too. Try any command "
        f"without credentials with --mock (the API's documented examples, in-process), e.g. "
        f"`{PROG_NAME} --mock lines 603010`."
    )


@dataclass
class Settings:
    """The options of one invocation, from the group and the command."""

    owner_no: str | None = None
    token: str | None = None
    base_url: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None
    sandbox: bool = False
    use_mock: bool = False
    timeout: float | None = None
    max_retries: int | None = None
    as_json: bool = False
    verbose: bool = False
    given: set[str] = field(default_factory=set)
    """The options given on the command line (before or after the command)."""


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Everything a client is constructed with."""

    owner_no: str | None
    token: str | None
    base_url: str | None
    client_cert: str | None
    client_key: str | None
    ca_bundle: str | None
    timeout: float | None
    max_retries: int | None
    fake: FakePayEx | None = None
    """With `--mock`: the in-process fake the clients are wired to."""

    def sync(self) -> BillingInvoiceClient:
        """A client for one-off calls."""
        if self.fake is not None:
            return self.fake.client(**self._settings())
        return BillingInvoiceClient(**self._settings())

    def concurrent(self) -> AsyncBillingInvoiceClient:
        """A client that fetches an invoice's lines concurrently."""
        if self.fake is not None:
            return self.fake.async_client(**self._settings())
        return AsyncBillingInvoiceClient(**self._settings())

    def _settings(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in fields(self) if item.name != "fake"}


def _settings(ctx: click.Context) -> Settings:
    return ctx.ensure_object(Settings)


PIPED_WIDTH: Final = 10_000
"""Rich's width when stdout is not a terminal: tables take the width they need, so no word is cut."""


def _stdout() -> Console:
    return Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


class _RequestLog(logging.StreamHandler[TextIO]):
    """The request log of `-v`, on stderr."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def _show_log(verbose: bool) -> None:
    if not verbose:
        return
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(handler, _RequestLog) for handler in logger.handlers):
        logger.addHandler(_RequestLog())
    logger.setLevel(logging.DEBUG)


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _settings(ctx).as_json = True


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _settings(ctx).verbose = True


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep a connection option's value: the command line's (before or after the command), else the variable's."""
    name = str(param.name)
    source = ctx.get_parameter_source(name)
    settings = _settings(ctx)
    if source is ParameterSource.COMMANDLINE:
        settings.given.add(name)
        setattr(settings, name, value)
    elif source is ParameterSource.ENVIRONMENT and name not in settings.given:
        setattr(settings, name, value)


def _connection_options(*, at_group: bool) -> Callable[[F], F]:
    """The connection options, for the group (with their variables) or for a command (after its name)."""

    def env(variable: str) -> dict[str, Any]:
        return {"envvar": variable, "show_envvar": True} if at_group else {}

    common: dict[str, Any] = {"expose_value": False, "callback": _store}
    options = (
        click.option(
            "--owner",
            "owner_no",
            metavar="OWNER_NO",
            help=f"The ledger number the token was issued for [with --mock: {MOCK_OWNER_NO}].",
            **env(ENV_OWNER_NO),
            **common,
        ),
        click.option(
            "--token",
            metavar="TOKEN",
            help="PayEx reference token; prefer the variable, since arguments are visible to other local users.",
            **env(ENV_TOKEN),
            **common,
        ),
        click.option(
            "--cert",
            "client_cert",
            metavar="PEM",
            help="PayEx-issued client certificate for mutual TLS.",
            **env(ENV_CLIENT_CERT),
            **common,
        ),
        click.option("--key", "client_key", metavar="PEM", help="Its private key.", **env(ENV_CLIENT_KEY), **common),
        click.option(
            "--ca-bundle",
            "ca_bundle",
            metavar="PEM",
            help="CA certificates to trust instead of the system's (a private CA or a TLS-inspecting proxy).",
            **env(ENV_CA_BUNDLE),
            **common,
        ),
        click.option(
            "--base-url",
            metavar="URL",
            help=f"The API's base URL [default: {PRODUCTION_URL}].",
            **env(ENV_BASE_URL),
            **common,
        ),
        click.option("--sandbox", is_flag=True, help=f"Use the sandbox, {SANDBOX_URL}.", **common),
        click.option(
            "--mock",
            "use_mock",
            is_flag=True,
            help="Answer from the API document's examples in-process (FakePayEx) instead of PayEx: no credentials, "
            "no network, no Node; unknown ids get the documented problems.",
            **common,
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help="Timeout of each request [default: 30, connecting 10].",
            **common,
        ),
        click.option(
            "--retries",
            "max_retries",
            type=click.IntRange(0, 10),
            help="Retries of connection errors, 429, 502, 503 and 504 [default: 2].",
            **common,
        ),
    )

    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return _output_options(command)

    return apply


def _output_options(command: F) -> F:
    """`--json` and `-v`, accepted before or after the command name."""
    command = click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        callback=_set_verbose,
        help="Log every request (method, route template, status, duration, problem instance) on stderr.",
    )(command)
    return click.option(
        "--json",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="Print JSON on stdout (amounts as exact decimal strings, ISO dates) and nothing else.",
    )(command)


def _given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE


def _client_options(ctx: click.Context) -> ClientOptions:
    """The client settings; with `--mock`, clients wired to a fresh in-process `FakePayEx`."""
    settings = _settings(ctx)
    _show_log(settings.verbose)
    targets = (
        ("--base-url", "base_url" in settings.given),
        ("--sandbox", settings.sandbox),
        ("--mock", settings.use_mock),
    )
    chosen = [name for name, on in targets if on]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} exclude each other")
    if not settings.use_mock:
        return ClientOptions(
            owner_no=settings.owner_no,
            token=settings.token,
            base_url=SANDBOX_URL if settings.sandbox else settings.base_url,
            client_cert=settings.client_cert,
            client_key=settings.client_key,
            ca_bundle=settings.ca_bundle,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )
    fake = FakePayEx()
    logging.getLogger(CLI_LOGGER).info("--mock: FakePayEx serves the API document's examples in-process")
    return ClientOptions(
        owner_no=settings.owner_no if "owner_no" in settings.given else fake.owner_no,
        token=settings.token if "token" in settings.given else FAKE_TOKEN,
        base_url=None,
        client_cert=None,
        client_key=None,
        ca_bundle=None,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        fake=fake,
    )


def _emit(ctx: click.Context, data: object, view: Callable[[], RenderableType]) -> None:
    if _settings(ctx).as_json:
        click.echo(to_json(data))
    else:
        _stdout().print(view())


def _progress(message: str, *, enabled: bool = True) -> contextlib.AbstractContextManager[Any]:
    """A spinner on stderr while the block runs, if stderr is a terminal and `enabled`."""
    if enabled and sys.stderr.isatty():
        return _stderr().status(Text(message))
    return contextlib.nullcontext()


def _check_invoice_no(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """Refuse, as a usage error, an id the client would refuse before sending anything."""
    try:
        build_path("getInvoice", owner_no=MOCK_OWNER_NO, invoice_no=value)
    except InvalidRouteError as error:
        raise click.BadParameter(str(error)) from None
    return value


def _check_link(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        parsed = parse_link(value)
    except InvalidRouteError as error:
        raise click.BadParameter(str(error)) from None
    if parsed.operation_id is None:
        raise click.BadParameter("the link does not address an operation of the Billing Invoice API")
    return value


class _App(click.Group):
    """The command group; turns every expected error into its report and documented exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (BillingInvoiceError, MockUnavailableError) as error:
            settings = _settings(ctx)
            row = exit_code_for(type(error))
            details = error_details(error, row.code.value, row.meaning, [settings.token or ""])
            if settings.as_json:
                click.echo(to_json({"error": details}))
            else:
                _stderr().print(error_report(error, details))
            ctx.exit(row.code.value)


@click.group(cls=_App, epilog=_epilog(), context_settings={"help_option_names": ["-h", "--help"]})
@_connection_options(at_group=True)
@click.version_option(package_name="payex-billing-invoice", prog_name=PROG_NAME)
def cli() -> None:
    """Look up PayEx Billing invoices and the charges behind them, line by line."""


@cli.command()
@_connection_options(at_group=False)
@click.pass_context
def invoices(ctx: click.Context) -> None:
    """List the ledger's invoices."""
    with _client_options(ctx).sync() as client:
        found = client.exact.list_invoices()
    items = listed(found.items)
    _emit(ctx, found, lambda: list_view("Invoices", items, ("invoiceNo", "invoiceDate", "@id")))


@cli.command()
@click.argument("invoice_no", callback=_check_invoice_no)
@_connection_options(at_group=False)
@click.pass_context
def invoice(ctx: click.Context, invoice_no: str) -> None:
    """Show one invoice: number, date, amount and its links."""
    with _client_options(ctx).sync() as client:
        found = client.exact.get_invoice(invoice_no)
    _emit(ctx, found, lambda: record_view(f"Invoice {invoice_no}", found))


def _fetch_lines(options: ClientOptions, invoice_no: str, progress: ProgressCallback | None) -> InvoiceLines:
    """The invoice's lines, fetched concurrently; `progress` gets (responses received, responses expected)."""

    async def fetch() -> InvoiceLines:
        async with options.concurrent() as client:
            return await client.invoice_lines(invoice_no, on_progress=progress)

    return asyncio.run(fetch())


@cli.command()
@click.argument("invoice_no", callback=_check_invoice_no)
@_connection_options(at_group=False)
@click.pass_context
def lines(ctx: click.Context, invoice_no: str) -> None:
    """Show an invoice line by line: customer-level recurring products, then every subscription with its products.

    Totals are exact decimal sums. The spinner (stderr, only on a terminal) counts the responses received and expected.
    """
    settings = _settings(ctx)
    options = _client_options(ctx)
    message = f"Fetching invoice {invoice_no} line by line"
    with _progress(message, enabled=not settings.verbose) as status:
        on_response = (
            (lambda done, total: status.update(Text(f"{message}: {done} of {total} responses"))) if status else None
        )
        found = _fetch_lines(options, invoice_no, on_response)
    _emit(ctx, invoice_lines_data(found), lambda: invoice_lines_view(found))


@cli.command()
@click.argument("link", callback=_check_link)
@_connection_options(at_group=False)
@click.pass_context
def follow(ctx: click.Context, link: str) -> None:
    """Fetch what a link of a response addresses (a path such as /billing/invoice/v1/xxx/invoices/603010)."""
    with _client_options(ctx).sync() as client:
        found = client.exact.follow(link)
    items = getattr(found, "items", None)
    if isinstance(items, list):
        _emit(ctx, found, lambda: list_view(link, items))
    else:
        _emit(ctx, found, lambda: record_view(link, found))


@cli.command("problem-types")
@_output_options
@click.pass_context
def problem_types(ctx: click.Context) -> None:
    """List the documented problem types the client maps to exceptions, with the exit status of each."""
    rows = [
        {
            "code": code,
            "typecode": cls.problem_type,
            "status": cls.problem_status,
            "class": cls.__name__,
            "exitCode": exit_code_for(cls).code.value,
        }
        for code, cls in PROBLEM_TYPES.items()
    ]

    def view() -> Table:
        table = Table(title="Documented problem types", title_justify="left", box=box.SIMPLE_HEAD)
        for column in ("code", "typecode", "status", "class", "exit"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(Text(str(value)) for value in row.values()))
        return table

    _emit(ctx, rows, view)


class MockServer(enum.StrEnum):
    """What `mock` serves with."""

    AUTO = "auto"
    PRISM = "prism"
    FAKE = "fake"


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=MOCK_PORT, show_default=True, help="Loopback port.")
@click.option(
    "--server",
    type=click.Choice([choice.value for choice in MockServer]),
    default=MockServer.AUTO.value,
    show_default=True,
    help="prism: Prism on the committed spec (a checkout with Node and node_modules); fake: FakePayEx over "
    "loopback (works from a plain install); auto: Prism where it can run, else the fake.",
)
@_output_options
@click.pass_context
def mock(ctx: click.Context, port: int, server: str) -> None:
    """Serve the API on 127.0.0.1 until Ctrl-C, for other tools; prints the base URL.

    Where Node and the repository's node_modules are there (a checkout after `npm ci`), Prism serves the
    committed API document; elsewhere (a plain `pip install`) the in-process fake, FakePayEx, is served over
    loopback: the documented examples, and the documented problems for unknown ids.
    """
    use_prism = server == MockServer.PRISM or (server == MockServer.AUTO and prism_available())
    err = _stderr()
    try:
        if use_prism:
            files = find_mock_files()
            with running_prism(files, port=port) as running:
                _announce(ctx, running.url, f"Prism (pid {running.pid}) serves {files.spec}", pid=running.pid)
                status = running.process.wait()
            raise MockUnavailableError(f"Prism exited on its own with status {status}")
        with serving_fake(FakePayEx(), port=port) as url:
            _announce(ctx, url, "FakePayEx serves the API document's examples")
            signal.pause()
    except KeyboardInterrupt:
        err.print("Prism stopped." if use_prism else "FakePayEx stopped.")


def _announce(ctx: click.Context, url: str, what: str, *, pid: int | None = None) -> None:
    """The mock's base URL on stdout, and on stderr what serves it and how to try it."""
    if _settings(ctx).as_json:
        click.echo(to_json({"url": url, "server": "prism" if pid else "fake"} | ({"pid": pid} if pid else {})))
    else:
        click.echo(url)
        err = _stderr()
        err.print(f"{what}; Ctrl-C stops it. Try:", markup=False)
        err.print(f"  {PROG_NAME} --base-url {url} --owner {MOCK_OWNER_NO} --token any lines 603010", markup=False)
    sys.stdout.flush()


def _interrupt(signum: int, _frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line; SIGTERM stops it as Ctrl-C does, so a mock it started is stopped too.

    With `--json` anywhere on the line, a usage error too is one JSON object on stdout.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    argv = list(sys.argv[1:] if args is None else args)
    try:
        status = cli.main(args=argv, prog_name=PROG_NAME, standalone_mode=False)
    except click.ClickException as error:
        if "--json" in argv:
            row = EXIT_CODES[ExitCode.USAGE]
            details = {"error": type(error).__name__, "exitCode": error.exit_code, "meaning": row.meaning}
            click.echo(to_json({"error": details | {"message": error.format_message()}}))
        else:
            error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)
