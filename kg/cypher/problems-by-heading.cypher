// The headings problems are filed under in each notice, with their problem counts.
//
// @param organization string = ""  one organization's full name; empty for all
// @example
// organization     | heading                                     | problems
// 政协桑植县委员会  | 财经纪律执行不严格,报账程序不规范             | 2
MATCH (p:Problem)-[:RAISED_IN]->(:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
WHERE $organization = '' OR o.name = $organization
RETURN o.name AS organization, coalesce(p.heading, '') AS heading, count(p) AS problems
ORDER BY organization, problems DESC, heading
