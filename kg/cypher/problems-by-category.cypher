// Problems per category across organizations: how many problems, in how many organizations.
// The category is read from the problem's text (or else the heading it sits under) with the
// keyword table in kg/data/problem_categories.json.
//
// @example
// category | organizations | problems
// 财经纪律  | 4             | 17
MATCH (p:Problem)
WHERE p.organization IS NOT NULL
RETURN p.category AS category, count(DISTINCT p.organization) AS organizations, count(*) AS problems
ORDER BY organizations DESC, problems DESC, category
