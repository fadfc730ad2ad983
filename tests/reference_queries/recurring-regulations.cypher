MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(:Document)-[:CITES]->(r:Regulation)
WHERE r.kind <> 'not_regulation'
WITH r, collect(DISTINCT o.name) AS names
WHERE size(names) >= $min_organizations
RETURN r.title AS title, r.kind AS kind, size(names) AS organizations, names
ORDER BY organizations DESC, title
