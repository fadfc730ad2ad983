MATCH (p:Problem)-[:RAISED_IN]->(:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
WHERE $organization = '' OR o.name = $organization
RETURN o.name AS organization, coalesce(p.heading, '') AS heading, count(p) AS problems
ORDER BY organization, problems DESC, heading
