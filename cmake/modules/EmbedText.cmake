# cmake -DIN=<file> -DOUT=<file.inc> -P EmbedText.cmake
# Writes IN as a C++ raw string literal to OUT.
file(READ "${IN}" content)
file(WRITE "${OUT}.tmp" "R\"SEQBOAT_EMBED(${content})SEQBOAT_EMBED\"\n")
file(RENAME "${OUT}.tmp" "${OUT}")
