MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(:Document)-[:CITES]->(r:Regulation)
WHERE r.kind <> 'not_regulation'
WITH DISTINCT r, o
WITH r, count(o) AS organizations, collect(o.name) AS names
WHERE organizations >= $min_organizations
RETURN r.title AS title, r.kind AS kind, organizations, names
ORDER BY organizations DESC, title
