"""Getting inputs: public CKAN resources and local or restricted file drops."""
