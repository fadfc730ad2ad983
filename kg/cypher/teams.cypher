// Which team of which committee inspected whom, and when.
//
// @example
// committee  | team                | kind | round | organization     | start_date
// 张家界市委  | 张家界市委第七巡察组 | 巡察 | null  | 政协桑植县委员会  | 2020-05-11
MATCH (c:Committee)<-[:TEAM_OF]-(t:InspectionTeam)<-[:CONDUCTED_BY]-(i:Inspection)-[:INSPECTED]->(o:Organization)
RETURN c.name AS committee, t.name AS team, t.kind AS kind, t.round AS round, o.name AS organization,
       i.start_date AS start_date
ORDER BY committee, team, start_date
