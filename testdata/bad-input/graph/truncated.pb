

xPlaceholder*
dtype0

rRelux*