// The inspection timeline of each organization and the lags between its steps, in days:
// end of the visit → feedback → public report.
//
// @example
// organization     | organization_key | team               | start_date | end_date   | feedback_date | published  | days_to_feedback | days_to_publication
// 湘潭市妇女联合会   | 湘潭市妇女联合会  | 湘潭市委第三巡察组   | 2023-10-11 | 2023-12-01 | 2024-01-17    | 2024-08-20 | 47               | 216
MATCH (i:Inspection)-[:INSPECTED]->(o:Organization), (i)-[:CONDUCTED_BY]->(t:InspectionTeam), (i)-[:REPORTED_IN]->(d:Document)
RETURN o.name AS organization, o.key AS organization_key, t.name AS team, i.start_date AS start_date, i.end_date AS end_date,
       i.feedback_date AS feedback_date, d.published AS published,
       i.feedback_day - i.end_day AS days_to_feedback,
       d.published_day - i.feedback_day AS days_to_publication
ORDER BY start_date, organization
