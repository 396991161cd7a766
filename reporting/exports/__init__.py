"""What leaves the portal as files: the regional report (XLSX, CSV, PDF), the national extract
and the PDF documents, made by export jobs."""
