MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(:Document)-[c:CITES]->(r:Regulation)
WHERE ($organization = '' OR o.name = $organization) AND c.action IS NOT NULL AND r.kind <> 'not_regulation'
WITH o, c.action AS action, collect(DISTINCT r.title) AS titles
RETURN o.name AS organization, o.key AS organization_key, action, size(titles) AS regulations, titles
ORDER BY organization, organization_key, action
