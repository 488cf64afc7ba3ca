#!/bin/sh
# Print the test PDFs from their HTML with the Debian Chromium the browser tests use.
# article.pdf: a made-up news article over several pages; scanned.pdf: a page that is only an image.
set -e
cd "$(dirname "$0")"
for name in article scanned; do
  chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$name.pdf" "file://$PWD/$name.html"
done
