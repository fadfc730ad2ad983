// Problems per category across organizations: how many problems, in how many organizations.
// The category is read from the problem's text (or else the heading it sits under) with the
// keyword table in kg/data/problem_categories.json.
//
// @example
// category | organizations | problems
// 财经纪律  | 4             | 17
MATCH (p:Problem)-[:RAISED_IN]->(:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
RETURN p.category AS category, count(DISTINCT o) AS organizations, count(p) AS problems
ORDER BY organizations DESC, problems DESC, category
