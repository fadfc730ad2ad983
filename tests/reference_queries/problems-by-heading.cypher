MATCH (p:Problem)-[:RAISED_IN]->(:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
WHERE $organization = '' OR o.name = $organization
RETURN o.name AS organization, o.key AS organization_key, coalesce(p.heading, '') AS heading, count(p) AS problems
ORDER BY organization, organization_key, problems DESC, heading
