"""The HTML page skeleton of a digest (a string.Template; every substitution is pre-escaped).

Kept as a Python string rather than a data file so it ships without package-data settings.
Inline CSS with a single media query: mail clients drop external stylesheets.
"""

PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>$title</title>
<style>
  body { margin: 0; padding: 0; background: #f3f4f6; color: #1f2937; font-size: 15px; line-height: 1.45;
         font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
  .wrap { max-width: 680px; margin: 0 auto; padding: 16px 12px 32px; }
  .card { background: #ffffff; border-radius: 10px; padding: 20px 20px 8px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  h1 { font-size: 20px; line-height: 1.3; margin: 0 0 4px; }
  .headline { color: #4b5563; margin: 0 0 16px; font-size: 15px; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; margin: 20px 0 8px; }
  .row { border-left: 4px solid #9ca3af; background: #f9fafb; border-radius: 6px; padding: 10px 12px; margin: 0 0 8px; }
  .row.critical { border-left-color: #dc2626; } .row.warning { border-left-color: #d97706; }
  .row.info { border-left-color: #2563eb; } .row.ok { border-left-color: #16a34a; }
  .title { font-weight: 600; word-break: break-word; }
  .title a { color: #1d4ed8; text-decoration: none; }
  .badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px;
           background: #e5e7eb; color: #374151; margin-left: 6px; white-space: nowrap; }
  .critical .badge { background: #fee2e2; color: #991b1b; } .warning .badge { background: #fef3c7; color: #92400e; }
  .ok .badge { background: #dcfce7; color: #166534; }
  .text { margin: 4px 0 0; word-break: break-word; }
  ul { margin: 4px 0 0; padding-left: 20px; } li { margin: 2px 0; word-break: break-word; }
  .meta { color: #6b7280; font-size: 13px; margin-top: 4px; }
  .more { color: #6b7280; font-style: italic; margin: 0 0 8px; }
  .empty { color: #6b7280; margin: 8px 0 16px; }
  .foot { color: #9ca3af; font-size: 12px; text-align: center; margin-top: 16px; }
  @media (max-width: 480px) {
    .wrap { padding: 8px 6px 24px; } .card { padding: 14px 12px 4px; } h1 { font-size: 18px; }
  }
</style>
</head>
<body>
<div class="wrap">
<div class="card">
<h1>$title</h1>
<p class="headline">$headline</p>
$sections
</div>
<p class="foot">$footer</p>
</div>
</body>
</html>
"""
