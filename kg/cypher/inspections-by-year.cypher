// Inspections by the year they started: notices, inspections, organizations, and the
// median lags in days from the end of the visit to feedback and from feedback to the
// public report. kg trends gives quartiles, themes and regulations per period too.
//
// @example
// year | notices | inspections | organizations | median_days_to_feedback | median_days_to_publication
// 2024 | 2       | 2           | 2             | 80.5                    | 313.0
MATCH (i:Inspection)-[:REPORTED_IN]->(d:Document)
WHERE i.start_date IS NOT NULL
OPTIONAL MATCH (i)-[:INSPECTED]->(o:Organization)
RETURN left(i.start_date, 4) AS year, count(DISTINCT d) AS notices, count(DISTINCT i) AS inspections,
       count(DISTINCT o) AS organizations,
       percentileCont(i.feedback_day - i.end_day, 0.5) AS median_days_to_feedback,
       percentileCont(d.published_day - i.feedback_day, 0.5) AS median_days_to_publication
ORDER BY year
