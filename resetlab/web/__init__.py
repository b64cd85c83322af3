"""What every blueprint shares: access rules, error pages, security headers, template filters, forms."""
