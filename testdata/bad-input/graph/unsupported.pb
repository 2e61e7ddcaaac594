

xPlaceholder*
dtype0

f
Frobnicatex

g
Frobnicatef