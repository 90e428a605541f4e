"""The `lodpub` command: validate, build, serve, publish."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .config import Settings
from .report import InputError


def input_options(command):
    """Options shared by every command that reads the inputs."""
    for option in reversed([
        click.option("--base", help="Base IRI of the dataset (default http://localhost:8080/, or LODPUB_BASE)."),
        click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Folder of source documents."),
        click.option("--ontology", "ontology_dir", type=click.Path(path_type=Path), help="Ontology folder."),
        click.option("--shapes", "shapes_dir", type=click.Path(path_type=Path), help="SHACL shapes folder."),
        click.option("--dist", "dist_dir", type=click.Path(path_type=Path), help="Output folder (dist)."),
    ]):
        command = option(command)
    return command


def settings_from(**options) -> Settings:
    try:
        return Settings.from_env(**options)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@click.group()
@click.version_option(__version__, prog_name="lodpub")
def main() -> None:
    """Publish reporting as Linked Data: who communicated what to whom, traced to the source text."""


@main.command()
@input_options
def validate(**options) -> None:
    """Check the data against the shapes and the ontology; exit 1 on any violation."""
    from .build import check

    settings = settings_from(**options)
    try:
        checked = check(settings)
    except InputError as error:
        click.echo(error.render(), err=True)
        sys.exit(1)
    from .locate import locate

    for warning in locate(checked.warnings, settings.base):
        click.echo(warning.render(), err=True)
    click.echo(f"valid: {checked.documents} source document(s), {checked.quads} triples, "
               f"{len(checked.warnings)} warning(s)")


@main.command()
@input_options
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--keep", "keep_builds", type=click.IntRange(1), help="Builds kept in dist/builds, the new one "
              "included (default 3, or LODPUB_KEEP_BUILDS): their dumps and documents stay served by version.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another build is writing into the same dist.")
def build(quiet: bool, no_wait: bool, **options) -> None:
    """Validate, then publish the store, the dumps and the VoID description as a new build in dist/."""
    from .build import build as run_build
    from .dist import BuildBusy, no_space

    settings = settings_from(**options)
    try:
        manifest = run_build(settings, progress=not quiet and sys.stderr.isatty(), wait=not no_wait)
    except InputError as error:
        click.echo(error.render(), err=True)
        click.echo(f"build failed: {settings.dist_dir} is unchanged", err=True)
        sys.exit(1)
    except BuildBusy as error:
        click.echo(f"build failed: {error}; the published build is unchanged", err=True)
        sys.exit(1)
    except Exception as error:
        if not no_space(error):
            raise
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        click.echo(f"build failed: no space left on the device{where}; the published build is unchanged "
                   f"({settings.dist_dir})", err=True)
        sys.exit(1)
    click.echo(f"built {settings.dist_dir}: version {manifest['version']}, {len(manifest['graphs'])} graphs, "
               f"{manifest['quads']} quads, {len(manifest['dumps'])} dump files, base {manifest['base']}")


@main.command()
@click.argument("slug")
@click.option("--text", "text_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The document's exact text (UTF-8), copied to data/SLUG.txt.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Folder of source documents.")
def new(slug: str, text_file: Path, data_dir: Path | None) -> None:
    """Start a source document: data/SLUG.txt and data/SLUG.ttl with its prefixes and document resource."""
    from .authoring import scaffold

    try:
        text_out, ttl_out = scaffold(settings_from(data_dir=data_dir).data_dir, slug, text_file)
    except (ValueError, InputError) as error:
        raise click.ClickException(error.render() if isinstance(error, InputError) else str(error)) from None
    click.echo(f"wrote {text_out} and {ttl_out}; next: `lodpub draft {slug} --append`, then describe what it says")


@main.command()
@click.argument("slug")
@click.option("--append", is_flag=True, help="Append the draft to data/SLUG.ttl instead of printing it.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Folder of source documents.")
def draft(slug: str, append: bool, data_dir: Path | None) -> None:
    """Every quotation in data/SLUG.txt as a draft quote with its span, for an author to complete."""
    from .authoring import draft as make_draft

    folder = settings_from(data_dir=data_dir).data_dir
    try:
        turtle = make_draft(folder, slug)
    except (ValueError, InputError) as error:
        raise click.ClickException(error.render() if isinstance(error, InputError) else str(error)) from None
    if not append:
        click.echo(turtle, nl=False)
        return
    if not (folder / f"{slug}.ttl").exists():
        raise click.ClickException(f"{folder / (slug + '.ttl')} does not exist: start with `lodpub new {slug}`")
    with open(folder / f"{slug}.ttl", "a", encoding="utf-8") as sink:
        sink.write("\n" + turtle)
    click.echo(f"appended {turtle.count('a lpo:Quote')} draft quote(s) to {folder / (slug + '.ttl')}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--base", help="Base IRI; must be the one the data was built with (else serve stops).")
@click.option("--dist", "dist_dir", type=click.Path(path_type=Path), help="The built dist folder.")
@click.option("--workers", type=int, help="Worker processes (default: one per core, at least 2).")
@click.option("--query-timeout", type=float, help="Seconds a SPARQL query may run (default 30).")
@click.option("--result-cap", type=int, help="Most rows a SPARQL query returns (default 10000).")
@click.option("--store", "store_url", metavar="URL",
              help="Serve from this SPARQL 1.1 query endpoint instead of dist/store (or LODPUB_STORE_URL); "
                   "credentials from LODPUB_STORE_USER/LODPUB_STORE_PASSWORD or LODPUB_STORE_TOKEN.")
@click.option("--store-union", type=click.Choice(["auto", "native", "explicit"]),
              help="How the store's default graph is made the union of the named graphs (default auto).")
@click.option("--query-slots", type=click.IntRange(1, 64),
              help="SPARQL queries each worker runs at once, each in a process of its own (default 2).")
@click.option("--answer-cache", "answer_cache_mb", default=256, show_default=True, type=click.IntRange(0),
              help="Megabytes of answers the server keeps in memory, split among its workers; 0: none.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="A line per request.")
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader.")
def serve(host: str, port: int, workers: int | None, dev: bool, answer_cache_mb: int, access_log: bool,
          **options) -> None:
    """Serve the built data as Linked Data, with a SPARQL endpoint."""
    from .dist import read_manifest
    from .server import serve as run_server

    settings = settings_from(**options)
    try:
        manifest = read_manifest(settings.dist_dir)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    asked = ("--base", options["base"]) if options.get("base") else ("LODPUB_BASE", os.environ.get("LODPUB_BASE"))
    if asked[1] and asked[1] != manifest["base"]:
        # The IRIs were minted at build time: under another base none of them would dereference here.
        raise click.UsageError(f"{asked[0]} {asked[1]} disagrees with the build in {settings.dist_dir}, made with "
                               f"base {manifest['base']}: rebuild with `lodpub build --base {asked[1]}`, or serve "
                               f"with --base {manifest['base']}")
    settings = settings.replace(base=manifest["base"])
    if settings.store_url:
        from .store import check_store_url, redact

        try:
            check_store_url(settings.store_url)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        source = f"the store at {redact(settings.store_url)}"
    else:
        source = str(settings.dist_dir)
    click.echo(f"serving {source} (base {settings.base}) on http://{host}:{port}/", err=True)
    run_server(settings, host, port, workers=workers, dev=dev, answer_cache_bytes=answer_cache_mb << 20,
               access_log=access_log)


@main.command()
@click.option("--to", "to", required=True, metavar="URL", envvar="LODPUB_PUBLISH_TO",
              help="The store's SPARQL 1.1 Graph Store Protocol endpoint, e.g. http://localhost:7878/store "
                   "(or LODPUB_PUBLISH_TO).")
@click.option("--dist", "dist_dir", type=click.Path(path_type=Path), help="The built dist folder.")
@click.option("--retries", default=5, show_default=True, type=click.IntRange(0, 20),
              help="Retries of a graph after a transient failure (connection error, 429, 5xx).")
@click.option("--backoff", default=1.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait before the first retry; doubled for each next one.")
@click.option("--timeout", default=600.0, show_default=True, type=float,
              help="Seconds to wait on the store for one graph.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def publish(to: str, retries: int, backoff: float, timeout: float, quiet: bool, **options) -> None:
    """Load the built data into a store: one named graph per source document, plus the ontology, the
    shapes and the dataset's description, each replaced whole with one Graph Store Protocol PUT.

    Credentials come from the environment only: LODPUB_STORE_USER and LODPUB_STORE_PASSWORD (HTTP Basic)
    or LODPUB_STORE_TOKEN (Bearer).
    """
    from .publish import PublishError
    from .publish import publish as run_publish
    from .store import Credentials, redact

    settings = settings_from(**options)
    try:
        report = run_publish(settings, to, credentials=Credentials.from_env(), retries=retries, backoff=backoff,
                             timeout=timeout,
                             progress=not quiet and sys.stderr.isatty(),
                             on_retry=lambda message: click.echo(f"retrying: {message}", err=True))
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    except PublishError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    click.echo(f"published {len(report.graphs)} graphs, {report.triples} triples "
               f"({report.bytes / 1e6:.1f} MB) to {redact(to)} in {report.seconds:.1f} s")
    if report.dropped:
        click.echo(f"deleted {len(report.dropped)} graphs this build no longer has: "
                   + ", ".join(f"<{g}>" for g in report.dropped))


if __name__ == "__main__":
    main()
