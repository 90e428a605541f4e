"""Every dump read as it is by the clients a user points at its URL: rdflib and pyoxigraph (always), raptor's
rapper, Comunica and Apache Jena (where the machine has them; skipped with a message otherwise). Plain URLs
travel gzipped to a client that accepts gzip; `.gz` URLs are downloads of the gzipped file, or the RDF itself
for a client whose Accept header asks for the format (rapper, Jena).

Each read is recorded in `clients.READ`; the run ends with the table of who read what (conftest)."""

from __future__ import annotations

import functools
import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests

from lodpub.formats import RDF_FORMATS

from . import clients

ROOT = Path(__file__).resolve().parent.parent
DUMPS = [(f"lodpub.{f.extension}", f) for f in RDF_FORMATS]


def keeps_graphs(fmt) -> bool:
    """N-Quads, TriG and the JSON-LD dump (one @graph per named graph) hold quads; the others the union."""
    return fmt.datasets or fmt.key == "jsonld"


@pytest.fixture(scope="module")
def expected(built) -> dict[str, set]:
    """What each dump holds, read from the file by pyoxigraph: quads for datasets, triples for graphs."""
    found = {}
    for name, fmt in DUMPS:
        items = ox.parse(path=str(built.dumps_dir / name), format=fmt.oxigraph)
        found[name] = {q if keeps_graphs(fmt) else q.triple for q in items}
    return found


def raw(url: str, **headers) -> requests.Response:
    """The response with its body as sent (requests would decode a gzip Content-Encoding)."""
    response = requests.get(url, headers=headers, stream=True, timeout=30)
    response.body = response.raw.read(decode_content=False)
    return response


@pytest.mark.parametrize("name,fmt", DUMPS, ids=[n for n, _ in DUMPS])
def test_a_plain_dump_url_travels_gzipped_to_a_client_that_accepts_gzip(site, built, name, fmt):
    plain = (built.dumps_dir / name).read_bytes()
    packed = raw(site.url + "dumps/" + name, **{"Accept-Encoding": "gzip, deflate"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Type"].split(";")[0] == fmt.media_type
    assert "accept-encoding" in packed.headers["Vary"].lower()
    assert packed.body == (built.dumps_dir / (name + ".gz")).read_bytes()
    assert gzip.decompress(packed.body) == plain
    # Then a client that does not accept gzip, on the same URL: the plain bytes (no cached gzip answer).
    for refused in ("identity", "gzip;q=0", None):
        answer = raw(site.url + "dumps/" + name, **({"Accept-Encoding": refused} if refused else {}))
        if refused is None:
            answer = requests.get(site.url + "dumps/" + name, headers={"Accept-Encoding": ""}, timeout=30)
            answer.body = answer.content
        assert "Content-Encoding" not in answer.headers, refused
        assert answer.body == plain, refused
    # Conditional requests and ranges are about the bytes sent, each encoding with its own ETag.
    assert packed.headers["ETag"] != answer.headers["ETag"]
    again = raw(site.url + "dumps/" + name, **{"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("name,fmt", DUMPS, ids=[n for n, _ in DUMPS])
def test_a_gz_url_is_the_gzipped_file_to_download_unless_the_client_asks_for_the_format(site, built, name, fmt):
    packed = (built.dumps_dir / (name + ".gz")).read_bytes()
    for accept in ("*/*", None, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"):
        download = raw(site.url + f"dumps/{name}.gz", **({"Accept": accept} if accept else {}),
                       **{"Accept-Encoding": "gzip"})
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/gzip", accept
        assert "Content-Encoding" not in download.headers
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.body == packed
    asked = raw(site.url + f"dumps/{name}.gz", Accept=fmt.media_type)
    assert asked.headers["Content-Type"].split(";")[0] == fmt.media_type
    assert {"accept", "accept-encoding"} <= {v.strip().lower() for v in asked.headers["Vary"].split(",")}
    body = gzip.decompress(asked.body) if asked.headers.get("Content-Encoding") == "gzip" else asked.body
    assert body == (built.dumps_dir / name).read_bytes()


@pytest.mark.parametrize("name,fmt", DUMPS, ids=[n for n, _ in DUMPS])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_pyoxigraph_and_rdflib_read_each_dump_from_its_url(site, expected, name, fmt, gz):
    url = site.url + "dumps/" + name + (".gz" if gz else "")
    response = requests.get(url, timeout=30)          # accepts gzip, decodes a gzip Content-Encoding
    assert response.status_code == 200
    body = gzip.decompress(response.content) if gz else response.content
    got = {q if keeps_graphs(fmt) else q.triple for q in ox.parse(body, format=fmt.oxigraph)}
    assert got == expected[name]
    clients.read("pyoxigraph " + ox.__version__, url, len(got))
    if keeps_graphs(fmt):
        graph = rdflib.Dataset()
        graph.parse(data=body, format=fmt.rdflib)
        count = len(list(graph.quads((None, None, None, None))))
    else:
        graph = rdflib.Graph()
        graph.parse(data=body, format=fmt.rdflib)
        count = len(graph)
    assert count == len(expected[name])
    clients.read("rdflib " + rdflib.__version__, url, count)


def rapper() -> str:
    found = shutil.which("rapper")
    if not found:
        pytest.skip("raptor's rapper is not installed here (Debian: apt-get install raptor2-utils; .ci/run does)")
    return found


@pytest.mark.parametrize("name,fmt", DUMPS, ids=[n for n, _ in DUMPS])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_rapper_reads_each_dump_from_its_url(site, expected, name, fmt, gz):
    binary = rapper()
    url = site.url + "dumps/" + name + (".gz" if gz else "")
    if fmt.key == "jsonld":
        clients.read("rapper", url, None, "raptor 2 has no JSON-LD parser")
        pytest.skip("raptor 2 has no JSON-LD parser (its 'json' is RDF/JSON)")
    # -g: the parser is chosen by the Content-Type the server sends, as a user pointing rapper at a URL does;
    # raptor 2.0 knows TriG only by its old type application/x-trig, so TriG is named (-i trig).
    syntax = ["-i", "trig"] if fmt.key == "trig" else ["-g"]
    done = subprocess.run([binary, *syntax, "-c", url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count = int(done.stderr.strip().splitlines()[-1].split("returned ")[1].split()[0])
    assert count == len(expected[name]), done.stderr
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    clients.read(f"rapper {version} {' '.join(syntax)}", url, count)


def comunica() -> str:
    for candidate in (os.environ.get("LODPUB_COMUNICA"), shutil.which("comunica-sparql"),
                      str(ROOT / ".tools" / "comunica" / "node_modules" / ".bin" / "comunica-sparql")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("Comunica is not installed here (npm install --prefix .tools/comunica @comunica/query-sparql@4; "
                ".ci/run does)")


@pytest.mark.parametrize("name,fmt", DUMPS, ids=[n for n, _ in DUMPS])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_comunica_reads_each_dump_from_its_url(site, expected, name, fmt, gz):
    binary = comunica()
    url = site.url + "dumps/" + name + (".gz" if gz else "")
    # A dataset's statements are all in named graphs; Comunica's default graph is the source's default graph.
    query = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }" if keeps_graphs(fmt)
             else "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    done = subprocess.run([binary, url, query], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    count = int(re.search(r'"n":"\\"(\d+)\\"', done.stdout).group(1))
    assert count == len(expected[name]), done.stdout[-500:]
    clients.read("comunica-sparql", url, count)




@functools.cache
def jena() -> tuple[list[str], str, bool]:
    """The java command that runs Jena's tools (the class to run follows), Jena's version, and whether its
    JSON-LD 1.1 reader can run: it needs a Jakarta JSON-P provider (Parsson), which Maven brings and Debian's
    package of Jena lacks."""
    java = shutil.which("java")
    lib = ROOT / ".tools" / "jena" / "lib"
    if not java or not any(lib.glob("jena-cmds*.jar")):
        pytest.skip("Jena is not installed here (java, then scripts/install-jena.sh; .ci/run does both)")
    # Each command is a short-lived JVM: its quick compiler and the serial collector halve its start.
    command = [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", str(lib / "*")]
    done = subprocess.run([*command, "riotcmd.riot", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return command, re.search(r"VERSION: (\S+)", done.stdout).group(1), any(lib.glob("parsson*.jar"))


@pytest.mark.parametrize("name,fmt", DUMPS, ids=[n for n, _ in DUMPS])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_jena_reads_each_dump_from_its_url(site, expected, tmp_path, name, fmt, gz):
    """Jena fetches the URL itself (its Accept, gzip and the Content-Type choosing the parser) and loads it; then
    riot, which exits non-zero on any error or warning, counts the statements of the file the URL downloads.
    Debian 12's Jena 4.5.0 riot takes no URL (JENA-2241, fixed in 4.6.0), so riot reads the download."""
    command, version, jsonld11 = jena()
    url = site.url + "dumps/" + name + (".gz" if gz else "")
    if fmt.key == "jsonld" and not jsonld11:
        clients.read(f"jena sparql {version} --data", url, None, "no JSON-P provider for its JSON-LD 1.1 reader")
    else:
        query = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }" if keeps_graphs(fmt)
                 else "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        done = subprocess.run([*command, "arq.sparql", "--data", url, "--results", "TSV", query],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.splitlines()[0] == "?n", done.stdout
        count = int(done.stdout.splitlines()[1])
        assert count == len(expected[name]), done.stdout + done.stderr[-2000:]
        clients.read(f"jena sparql {version} --data", url, count)
    # A user's download: `.gz` URLs send the gzipped file, which riot reads by its extension.
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    download = tmp_path / (name + (".gz" if gz else ""))
    download.write_bytes(response.content)
    syntax = []
    if fmt.key == "jsonld" and not jsonld11:
        syntax = ["--syntax", "jsonld10"]      # Jena's other JSON-LD processor (jsonld-java)
    done = subprocess.run([*command, "riotcmd.riot", *syntax, "--count", str(download)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    # riot counts what it parsed: quads for a dataset syntax (N-Quads, TriG, JSON-LD), triples otherwise.
    found = re.search(r" : (Triples|Quads) = ([\d,]+)$", done.stderr, re.MULTILINE)
    assert found, done.stdout + done.stderr[-2000:]
    assert found.group(1) == ("Quads" if keeps_graphs(fmt) else "Triples"), done.stderr
    count = int(found.group(2).replace(",", ""))
    assert count == len(expected[name]), done.stderr
    clients.read(f"jena riot {version} {' '.join(syntax)}".strip(), url, count, "the file the URL downloads")
