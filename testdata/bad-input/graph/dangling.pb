

xPlaceholder*
dtype0

rRelughost:0*
T0