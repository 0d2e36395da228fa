"""The ``kg`` command line: parse arguments, call one API function, render, convert errors.

Exit codes: 0 success (data conforms); 1 data does not conform to the shapes;
2 error (bad input, bad arguments, missing store, refused operation, timeout);
130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import KgError, NotConformingError

EXIT_OK, EXIT_NOT_CONFORMING, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

store_option = click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KG_STORE",
    default="build",
    show_default=True,
    help="Folder of the embedded store (env KG_STORE).",
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (written whole or not at all); stdout by default.",
)


def _input_format(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check --input-format with kg.rdf.io, whose one-line error also says TriX is not read."""
    from kg.errors import UsageError
    from kg.rdf.io import format_for

    try:
        return None if value is None else format_for(None, value).name
    except UsageError as err:
        raise UsageError(f"--input-format: {err}") from None


input_format_option = click.option(
    "--input-format",
    metavar="[turtle|ntriples|nquads|trig|jsonld|rdfxml|n3]",
    callback=_input_format,
    default=None,
    help="Format of the files read; guessed from their extensions by default.",
)
ontology_option = click.option(
    "--ontology",
    type=click.Path(file_okay=False, readable=False, path_type=Path),
    default=None,
    help="Folder holding kg.ttl and shapes.ttl (the bundled ones by default).",
)
shapes_option = click.option(
    "--shapes",
    type=click.Path(readable=False, path_type=Path),  # kg.rdf.io reports problems in one line
    default=None,
    help="SHACL shapes file to use instead of the bundled shapes.",
)


class _Limit(click.ParamType):
    """A limit checked by kg.rdf.limits, whose one-line error names the option and its
    variable (click's FloatRange lets ``nan`` and ``inf`` through)."""

    def __init__(self, name: str, kind: str, env: str) -> None:
        self.name, self.kind, self.env = name, kind, env

    def convert(self, value, param, ctx):
        from kg.errors import UsageError
        from kg.rdf.limits import parse_seconds, parse_size

        if not isinstance(value, str):
            return value
        label = f"{param.opts[0] if param else self.name} (or {self.env})"
        parse = parse_seconds if self.kind == "seconds" else parse_size
        try:
            return parse(value, label)
        except UsageError as err:
            raise click.UsageError(str(err), ctx) from None


timeout_option = click.option(
    "--timeout",
    type=_Limit("seconds", "seconds", "KG_TIMEOUT"),
    envvar="KG_TIMEOUT",
    default="300",
    show_default=True,
    help="Seconds before the work is stopped with exit code 2 (env KG_TIMEOUT).",
)
max_answer_option = click.option(
    "--max-answer-bytes",
    type=_Limit("size", "size", "KG_MAX_ANSWER_BYTES"),
    envvar="KG_MAX_ANSWER_BYTES",
    default="512M",
    show_default=True,
    help="Largest answer read from the server, in bytes or with K/M/G (env KG_MAX_ANSWER_BYTES).",
)
files_argument = click.argument(
    "files", nargs=-1, type=click.Path(path_type=Path, readable=False)
)  # not checked by click: kg.rdf.io reports a missing, unreadable or folder path in one line


def remote_options(command):
    """Credentials for a remote store: options or environment variables, never printed."""
    for option in reversed(
        [
            click.option(
                "--user",
                envvar="KG_ENDPOINT_USER",
                default=None,
                help="User name, for HTTP Basic or Digest authentication (env KG_ENDPOINT_USER).",
            ),
            click.option(
                "--password",
                envvar="KG_ENDPOINT_PASSWORD",
                default=None,
                help="Password, Basic or Digest (env KG_ENDPOINT_PASSWORD; prefer the variable:"
                " options show in the process list).",
            ),
            click.option(
                "--token",
                envvar="KG_ENDPOINT_TOKEN",
                default=None,
                help="Bearer token, instead of --user (env KG_ENDPOINT_TOKEN).",
            ),
        ]
    ):
        command = option(command)
    return command


def emit(text: str | bytes, output: Path | None) -> None:
    """Data to stdout, or to ``output`` atomically."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from kg.rdf.io import write_atomic

    write_atomic(output, data)


def say(message: str) -> None:
    """A message for the person at the terminal (stderr)."""
    click.echo(message, err=True)


class KgGroup(click.Group):
    """Turns kg's exceptions into one line on stderr and a documented exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Click's own usage errors as one line too (not click's three-line usage block)."""
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as err:
            hint = f" (see {err.ctx.command_path} --help)" if getattr(err, "ctx", None) else ""
            say(f"kg: error: {err.format_message()}{hint}")
            code = EXIT_ERROR
        except click.exceptions.Abort:
            say("kg: interrupted")
            code = EXIT_INTERRUPTED
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except NotConformingError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            sys.stdout.write(err.report.to_text())
            sys.stdout.flush()
            say(f"kg: {err}")
            ctx.exit(EXIT_NOT_CONFORMING)
        except KgError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            for line in str(err).splitlines() or [type(err).__name__]:
                say(f"kg: error: {line}")
            _exit_now(err.exit_code)
        except KeyboardInterrupt:
            say("kg: interrupted")
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            ctx.exit(EXIT_OK)
        except Exception as err:  # a bug: one line, the traceback with --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            say(f"kg: internal error: {type(err).__name__}: {err} (run kg --debug for details)")
            ctx.exit(EXIT_ERROR)


@click.group(name="kg", cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg", prog_name="kg")
@click.option("--debug", is_flag=True, envvar="KG_DEBUG", help="Show tracebacks of errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Evidence-backed knowledge graphs of security cooperation, from news reports.

    \b
    Example:
        kg build && kg query signing
    """
    ctx.obj = {"debug": debug}
    if debug:  # which shapes the compiler left to pySHACL, and why (kg.engine.validation)
        import logging

        logger = logging.getLogger("kg")
        for old in [h for h in logger.handlers if getattr(h, "kg_debug", False)]:
            logger.removeHandler(old)  # in-process callers (the API, tests) call again
        handler = logging.StreamHandler(sys.stderr)
        handler.kg_debug = True
        handler.setFormatter(logging.Formatter("kg: debug: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


@cli.command()
@store_option
@click.option(
    "--seeds",
    type=click.Path(file_okay=False, readable=False, path_type=Path),
    multiple=True,
    help="Folder of seeds (*.txt + *.toml), repeatable: the folders are read together;"
    " the bundled seeds by default.",
)
@ontology_option
@shapes_option
@click.option(
    "--fresh",
    is_flag=True,
    help="Leave out the graphs added with kg add: the store then holds the seeds only.",
)
@timeout_option
def build(
    store: Path,
    seeds: tuple[Path, ...],
    ontology: Path | None,
    shapes: Path | None,
    fresh: bool,
    timeout: float,
) -> None:
    """Build the graph from the ontology and the seeds into the store.

    Validates the facts against the shapes (a violation fails the build and
    keeps the previous one), adds OWL 2 RL inferences in their own graph.

    Graphs added with kg add are kept: validated again together with the
    rebuilt seeds (if they no longer conform, the build fails and changes
    nothing) and written into the new build. --fresh leaves them out.

    One writer at a time: while another kg build or kg add writes the store,
    this one waits up to --timeout seconds, then stops with exit code 2.

    \b
    Example:
        kg build --store build --seeds seeds --seeds my-articles
    """
    from kg.build import build as run_build

    result = run_build(
        store=store,
        seeds=list(seeds) or None,
        ontology=ontology,
        shapes=shapes,
        fresh=fresh,
        timeout=timeout,
        on_wait=_waiting,
    )
    for warning in result.warnings:
        say(f"kg: warning: {warning}")
    say(result.summary())


def _waiting(message: str) -> None:
    say(f"kg: {message}")


@cli.command()
@files_argument
@store_option
@shapes_option
@ontology_option
@input_format_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="Format of the report.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="Lowest severity that makes the data not conform (exit 1).",
)
@click.option(
    "--alone",
    is_flag=True,
    help="Validate FILES by themselves, not together with the built graph.",
)
@output_option
@timeout_option
def validate(
    files, store, shapes, ontology, input_format, format_name, fail_on, alone, output, timeout
) -> None:
    """Validate the built graph, or FILES, against the shapes.

    FILES are validated together with the built graph when there is one (as
    kg add does), so they may refer to its nodes; --alone checks them by
    themselves. Exit 0 passes (no result at or above --fail-on), 1 does not, 2 error.

    \b
    Example:
        kg validate new-facts.ttl --format json
    """
    from kg.validate import validate as run_validate

    report = run_validate(
        files,
        store=store,
        shapes=shapes,
        ontology=ontology,
        input_format=input_format,
        fail_on=fail_on,
        timeout=timeout,
        alone=alone,
    )
    if report.context:
        say(f"kg: {report.context}")
    for warning in report.warnings:
        say(f"kg: warning: {warning}")
    emit(report.render(format_name), output)
    if not report.passed:
        sys.exit(EXIT_NOT_CONFORMING)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@store_option
@shapes_option
@ontology_option
@input_format_option
@timeout_option
def add(files, store, shapes, ontology, input_format, timeout) -> None:
    """Add FILES to the built graph if, with it, they conform to the shapes.

    Each file becomes its own named graph; otherwise the report is printed,
    the exit code is 1 and nothing changes. While another kg build or kg add
    writes the store, this one waits up to --timeout seconds, then stops with
    exit code 2; --timeout also bounds validation.

    \b
    Example:
        kg add more-facts.ttl
    """
    from kg.add import add as run_add

    result = run_add(
        files,
        store=store,
        input_format=input_format,
        shapes=shapes,
        ontology=ontology,
        timeout=timeout,
        on_wait=_waiting,
    )
    for warning in result.warnings:
        say(f"kg: warning: {warning}")
    for graph, count in result.graphs.items():
        say(f"added {count} triples as <{graph}>")
    say(f"{result.inferred_triples} triples inferred")


@cli.command()
@files_argument
@store_option
@ontology_option
@input_format_option
@click.option(
    "--all",
    "keep_all",
    is_flag=True,
    help="Keep the trivial inferences too (owl:sameAs x x, owl:Thing, axioms).",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    default="turtle",
    show_default=True,
    help="Format of the inferred triples.",
)
@output_option
@timeout_option
def reason(files, store, ontology, input_format, keep_all, format_name, output, timeout) -> None:
    """Print the OWL 2 RL inferences of the built graph, or of FILES with the ontology.

    \b
    Example:
        kg reason --format ntriples
    """
    from kg.reason import reason as run_reason

    result = run_reason(
        files,
        store=store,
        ontology=ontology,
        input_format=input_format,
        keep_all=keep_all,
        timeout=timeout,
    )
    if keep_all and format_name in ("turtle", "trig", "jsonld"):
        from rdflib import Literal

        result.triples = [t for t in result.triples if not isinstance(t[0], Literal)]
    emit(result.serialize(format_name), output)
    say(
        f"{len(result)} triples inferred"
        + (f" ({result.trivial_dropped} trivial ones left out)" if result.trivial_dropped else "")
    )


@cli.command("queries")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Format of the list.",
)
def list_queries_command(format_name: str) -> None:
    """List the bundled queries: name, title, question and parameters.

    \b
    Example:
        kg queries
    """
    import json

    from kg.sparql.bundled import list_queries

    specs = list_queries()
    if format_name == "json":
        items = [
            {
                "name": s.name,
                "title": s.title,
                "question": s.question,
                "competency": s.competency,
                "columns": s.columns,
                "params": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "required": p.required,
                        "description": p.description,
                    }
                    for p in s.params
                ],
            }
            for s in specs
        ]
        emit(json.dumps(items, ensure_ascii=False, indent=2) + "\n", None)
        return
    lines = []
    for spec in specs:
        params = " ".join(
            f"--param {p.name}=<{p.kind}>" + ("" if p.required else "?") for p in spec.params
        )
        lines.append(f"{spec.name}: {spec.title}" + (f"  [{params}]" if params else ""))
        lines.append(f"    {spec.question}")
    emit("\n".join(lines) + "\n", None)


@cli.command()
@click.argument("name")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter, bound as an RDF term (repeatable).",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Format of SELECT/ASK results (CONSTRUCT/DESCRIBE print Turtle).",
)
@click.option("--asserted", is_flag=True, help="Ask the asserted graphs only (no inferences).")
@store_option
@output_option
@timeout_option
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Ask this SPARQL 1.1 query endpoint instead of the built graph.",
)
@click.option(
    "--default-graph",
    "default_graphs",
    multiple=True,
    metavar="IRI",
    help="With --endpoint: the graphs to query as default graph (repeatable; by default"
    " the merged graph kg push sends, kgg:merged and kgg:inferred).",
)
@remote_options
@max_answer_option
def query(
    name,
    params,
    format_name,
    asserted,
    store,
    output,
    timeout,
    endpoint,
    default_graphs,
    user,
    password,
    token,
    max_answer_bytes,
) -> None:
    """Run the bundled query NAME, or the query in file NAME.rq, on the built graph.

    With --endpoint, on a remote SPARQL store, with the same parameters and
    output formats.

    \b
    Examples:
        kg query signing
        kg query evidence --param fact=kgr:kaja-kallas --format json
        kg query signing --endpoint http://127.0.0.1:7878/query
    """
    from kg.query import query as run_query
    from kg.sparql.output import boolean_text, render_rows
    from kg.sparql.run import parse_params

    if endpoint:
        from kg.remote.client import query as run_remote_query

        result = run_remote_query(
            name,
            parse_params(params),
            endpoint=endpoint,
            default_graphs=default_graphs,
            asserted=asserted,
            user=user,
            password=password,
            token=token,
            timeout=timeout,
            max_answer_bytes=max_answer_bytes,
        )
    elif default_graphs:
        from kg.errors import UsageError

        raise UsageError("--default-graph needs --endpoint")
    else:
        result = run_query(
            name, parse_params(params), store=store, asserted=asserted, timeout=timeout
        )
    if result.kind == "select":
        emit(render_rows(result.variables, result.rows, format_name), output)
    elif result.kind == "ask":
        emit(boolean_text(bool(result.boolean), format_name), output)
    else:
        import pyoxigraph as ox

        from kg.rdf.io import serialize

        emit(
            serialize(
                (ox.Quad(t.subject, t.predicate, t.object) for t in result.triples), "turtle"
            ),
            output,
        )


@cli.command()
@store_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    default=None,
    help="Output format; guessed from -o's extension, else Turtle.",
)
@click.option(
    "--asserted/--with-inferred",
    "asserted",
    default=True,
    show_default=True,
    help="Leave out, or include, the OWL 2 RL inferences.",
)
@click.option(
    "--no-provenance",
    is_flag=True,
    help="Leave out the evidence (text spans, full texts, store metadata).",
)
@output_option
@timeout_option
def export(store, format_name, asserted, no_provenance, output, timeout) -> None:
    """Export the built graph, byte-identical for the same input.

    \b
    Examples:
        kg export -o graph.ttl
        kg export --format trig --with-inferred > graph.trig
    """
    from kg.export import export as run_export

    data = run_export(
        output,
        format=format_name,
        store=store,
        inferred=not asserted,
        provenance=not no_provenance,
        timeout=timeout,
    )
    if output is None or str(output) == "-":
        emit(data, None)
    else:
        say(f"wrote {output} ({len(data)} bytes)")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    help="Graph Store Protocol endpoint (with --protocol update: the Update endpoint).",
)
@click.option("--graph", metavar="IRI", default=None, help="Push everything into this one graph.")
@click.option(
    "--replace/--append",
    default=True,
    show_default=True,
    help="Replace each graph on the server, or add to it.",
)
@click.option(
    "--protocol",
    type=click.Choice(["gsp", "update"]),
    default="gsp",
    show_default=True,
    help="SPARQL 1.1 Graph Store Protocol, or SPARQL 1.1 Update (INSERT DATA).",
)
@click.option(
    "--query-endpoint",
    metavar="URL",
    default=None,
    help="Where to count the triples after the push (guessed from --endpoint by default).",
)
@click.option(
    "--asserted/--with-inferred",
    "asserted",
    default=False,
    show_default=True,
    help="Leave out, or include, the OWL 2 RL inferences.",
)
@click.option("--no-provenance", is_flag=True, help="Leave out the evidence, as kg export does.")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Triples per request; bigger graphs go in several.",
)
@store_option
@input_format_option
@remote_options
@timeout_option
@max_answer_option
def push(
    files,
    endpoint,
    graph,
    replace,
    protocol,
    query_endpoint,
    asserted,
    no_provenance,
    chunk_size,
    store,
    input_format,
    user,
    password,
    token,
    timeout,
    max_answer_bytes,
) -> None:
    """Send the built graph, or FILES, to a SPARQL 1.1 store, each named graph to its own.

    Then count the triples in each graph on the server, and fail (exit 2) if
    the counts differ from what was sent. --timeout is the deadline of each
    request, retries included.

    \b
    Examples:
        kg push --endpoint http://127.0.0.1:7878/store
        kg push --endpoint http://127.0.0.1:7878/update --protocol update --append
    """
    from kg.push import push as run_push

    result = run_push(
        endpoint,
        store=store,
        files=files,
        graph=graph,
        mode="replace" if replace else "append",
        protocol=protocol,
        user=user,
        password=password,
        token=token,
        timeout=timeout,
        query_endpoint=query_endpoint,
        inferred=not asserted,
        provenance=not no_provenance,
        input_format=input_format,
        chunk_size=chunk_size,
        progress=say if sys.stderr.isatty() else None,
        max_answer_bytes=max_answer_bytes,
    )
    for name, count in result.sent.items():
        say(f"<{name}>: {count} triples")
    say(result.summary())


@cli.command()
@store_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def stats(store, format_name) -> None:
    """Count triples per graph, instances per class, facts per source, and how many
    asserted statements about domain entities have their own evidence.

    \b
    Example:
        kg stats
    """
    import json

    from kg.sparql.output import shorten
    from kg.stats import stats as run_stats

    result = run_stats(store=store)
    if format_name == "json":
        emit(json.dumps(result.__dict__, indent=2) + "\n", None)
        return
    sections = [
        ("triples per graph", result.triples_per_graph),
        ("instances per class", result.instances_per_class),
        ("facts per source", result.facts_per_source),
    ]
    lines = []
    for title, counts in sections:
        lines.append(f"{title}:")
        width = max((len(shorten(k) if k else "(default)") for k in counts), default=0)
        for key, count in counts.items():
            label = shorten(key) if key else "(default)"
            lines.append(f"  {label.ljust(width)}  {count:>7}")
    lines.append("statements about domain entities with their own evidence:")
    lines.append(f"  {result.statement_evidence_line()}")
    emit("\n".join(lines) + "\n", None)


@cli.command()
@store_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (::1: the IPv6 loopback). Anything but a loopback address lets"
    " anyone who can reach the port read the whole graph, source texts included: there is no"
    " authentication.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--queries",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of .rq files to offer on the page (the bundled queries by default).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Queries and pages computed at once, each in its own process; more wait"
    " up to 2 s, then get 503 with Retry-After.",
)
@timeout_option
def serve(store, host, port, queries, workers, timeout) -> None:
    """Serve the built graph read-only: a SPARQL endpoint and a web page.

    The page lists the bundled queries, has a SPARQL editor, and shows for
    every entity the passages of the sources it rests on. Updates, SERVICE
    and LOAD are refused, and so are requests from other sites' pages.
    --timeout applies to each query and page: its worker process is killed.

    \b
    Example:
        kg serve --port 8000   # then open http://127.0.0.1:8000/
    """
    from kg.serve import serve as run_serve

    run_serve(
        store,
        host=host,
        port=port,
        queries=queries,
        timeout=timeout,
        workers=workers,
        announce=lambda message: say(f"kg: {message}"),
    )


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--entity", metavar="IRI", default=None, help="Draw this entity's neighbourhood instead."
)
@click.option(
    "--depth",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="Steps from --entity to draw.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["svg", "png", "dot"]),
    default=None,
    help="Picture format; guessed from -o's extension by default.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write: .svg, .png or .dot (written whole or not at all; - for stdout).",
)
@store_option
@timeout_option
def diagram(name, entity, depth, format_name, output, store, timeout) -> None:
    """Draw the bundled diagram NAME, the CONSTRUCT query in FILE.rq, or --entity IRI.

    Laid out by Graphviz (dot): nodes labelled by rdfs:label, coloured by
    class, with a legend.

    \b
    Examples:
        kg diagram signing -o signing.svg
        kg diagram --entity kgr:kaja-kallas --depth 2 -o kallas.png
    """
    from kg.diagram import diagram as run_diagram
    from kg.diagram import format_for

    fmt = format_for(None if str(output) == "-" else output, format_name)
    data = run_diagram(name, entity=entity, depth=depth, format=fmt, store=store, timeout=timeout)
    emit(data, output)
    if str(output) != "-":
        say(f"wrote {output} ({len(data)} bytes)")


@cli.command()
@click.argument("article", type=click.Path(path_type=Path, readable=False))
@store_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Facts file to write (NAME.toml beside NAME.txt); stdout by default.",
)
@click.option(
    "--issued",
    metavar="YYYY-MM-DD",
    default=None,
    help="The date of issue, when the text does not give it (or gives it wrong).",
)
@click.option("--force", is_flag=True, help="Overwrite -o if it exists.")
def draft(article, store, output, issued, force) -> None:
    """Draft a facts file for ARTICLE (a text file) from what the built graph knows.

    Nodes the graph already has, named in the text, with their ids and quotes;
    the dates the text gives, resolved; names and X handles the graph does not
    know, commented out; every sentence with its offsets. The draft builds as
    it is, beside the seeds the graph was built from.

    \b
    Example:
        kg draft seeds/new.txt -o seeds/new.toml
    """
    from kg.draft import draft as run_draft
    from kg.errors import UsageError

    if output is not None and str(output) != "-" and output.exists() and not force:
        raise UsageError(f"{output} exists; kg draft does not overwrite it (use --force)")
    result = run_draft(article, store=store, issued=issued)
    for warning in result.warnings:
        say(f"kg: warning: {warning}")
    emit(result.toml, output)
    say(result.summary())


@cli.command()
@click.argument("term", required=False)
@ontology_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Format of the list (json: for editors).",
)
@output_option
def vocab(term, ontology, format_name, output) -> None:
    """The classes and properties a facts file may use, or one TERM (e.g. Signing, kg:party).

    For each: label, definition, domain and range, the shapes that constrain it,
    and an example line in the facts format.

    \b
    Examples:
        kg vocab
        kg vocab signingDate
        kg vocab --format json > vocab.json
    """
    from kg.vocab import vocab as run_vocab

    result = run_vocab(term, ontology=ontology)
    emit(result.render(format_name), output)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kg`` console script."""
    cli.main(args=argv, prog_name="kg")


def _exit_now(code: int) -> None:
    """Exit without waiting for abandoned worker threads (a query that hit its time limit)."""
    import os
    import threading

    if any(t.name.startswith("kg-") and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
