Attribute VB_Name = "Module1"
Public Sub LoadOrders()
    Dim conn As New ADODB.Connection
    conn.Open "Provider=SQLOLEDB;Data Source=SQL01;Initial Catalog=Orders;User ID=excel_ro;Password=Saffron_9013Xq0XQ;"
    conn.Open "Provider=SQLOLEDB;Data Source=SQL01;Initial Catalog=Orders;Integrated Security=SSPI;"
End Sub
