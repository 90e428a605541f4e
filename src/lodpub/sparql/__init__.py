"""The SPARQL endpoint's concerns, each in its own module, independent of Flask and of the backend:

- `policy`: what is refused before a query runs (updates, anything that would make the server fetch: SERVICE,
  LOAD, FROM/FROM NAMED naming a graph that is not ours) and which RDF dataset a query runs over;
- `limits`: the per-query time limit and result cap, and recycling a worker whose query ran over its time;
- `results`: the SPARQL 1.1 result serializers (JSON, XML, CSV, TSV) over the store's `Solutions`;
- `description`: the SPARQL 1.1 Service Description of the endpoint;
- `examples`: the example queries the query page offers.

The web layer (`lodpub.web.sparql`) wires them to the SPARQL 1.1 Protocol; a remote backend forwards a query
only after `policy.inspect` has passed it.
"""
