"""The page's branding, checked before it is stored: a brand colour that keeps the page
readable (colours), a logo that can carry nothing active (svg_logo, png_logo, logo), and the
header and footer links (links). Pure functions, no query: the model's validators and the
page settings service call them."""
